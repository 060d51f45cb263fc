import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { inTransaction } from '../../db/transaction.ts';
import { keyId, parseKey, seal, secretBox, unseal } from './crypto.ts';
import { aad, type EmergencyContext } from './context.ts';

/** The pack keys: the development key made on first start, rotation to a new key, other secrets sealed with them. */
export function buildKeys({ db, repo, audit, keyring }: EmergencyContext) {
  return {
    /** Makes the development key on first start (when none is configured); says which kind is in use. */
    async ensureKey() {
      const { keyring: k, development } = await keyring();
      return { keyId: k.currentId, development };
    },

    /** Re-encrypts every pack not sealed with the current key (after EMERGENCY_PACK_KEY changed). */
    async rotateKey(actor: Actor | null = null) {
      const { keyring: k } = await keyring();
      let reencrypted = 0;
      const unreadable: number[] = [];
      let after = 0;
      for (;;) {
        const rows = await repo.packsNotSealedWith(k.currentId, 100, after);
        if (!rows.length) break;
        for (const r of rows) {
          after = r.staff_id;
          let plain: string;
          try {
            plain = unseal(k, { keyId: r.key_id, ciphertext: r.ciphertext }, aad(r.staff_id));
          } catch {
            unreadable.push(r.staff_id);
            continue;
          }
          const sealed = seal(k, plain, aad(r.staff_id));
          await inTransaction(db, async (trx) => {
            if (await repo.reseal(trx, r.staff_id, r.ciphertext, sealed)) {
              reencrypted++;
              await audit.appendIn(trx, {
                ...actorFields(actor),
                ...(actor ? {} : { actorLabel: 'harbour emergency rotate-key' }),
                action: 'emergency_pack.rotate_key',
                entityType: 'staff',
                entityId: r.staff_id,
                detail: { from: r.key_id, to: sealed.keyId },
              });
            }
          });
        }
      }
      return { keyId: k.currentId, reencrypted, unreadable };
    },
    keyIdOf: (base64: string) => keyId(parseKey(base64)),
    /** Seals other small secrets (authenticator-app keys) with the same keyring. */
    secretBox: secretBox(async () => (await keyring()).keyring),
  };
}
