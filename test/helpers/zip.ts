import { inflateRawSync } from 'node:zlib';

/** The zip's entries in file order, read from the local headers: name, method, data (inflated). */
export function zipEntries(buffer: Buffer): { name: string; method: number; extra: number; data: Buffer }[] {
  const out = [];
  let at = 0;
  while (buffer.readUInt32LE(at) === 0x04034b50) {
    const method = buffer.readUInt16LE(at + 8);
    const size = buffer.readUInt32LE(at + 18);
    const nameLength = buffer.readUInt16LE(at + 26);
    const extra = buffer.readUInt16LE(at + 28);
    const name = buffer.subarray(at + 30, at + 30 + nameLength).toString('utf8');
    const start = at + 30 + nameLength + extra;
    const raw = buffer.subarray(start, start + size);
    out.push({ name, method, extra, data: method === 0 ? raw : inflateRawSync(raw) });
    at = start + size;
  }
  return out;
}
