import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, isAddressOrCidr, loadConfig, parseRoleMap } from './config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');

test('production refuses to start without an emergency pack key, and says why', () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /EMERGENCY_PACK_KEY: must be set in production/.test(e.message) &&
      /kept in the database beside them/.test(e.message) &&
      /openssl rand -base64 32/.test(e.message),
  );
  assert.equal(loadConfig({ NODE_ENV: 'production', EMERGENCY_PACK_KEY: KEY }).emergency.key, KEY);
  assert.equal(loadConfig({}).emergency.key, null, 'development still makes its own key');
});

test('EMERGENCY_PACK_KEY_FILE: a key from a mounted secret; unreadable or wrong, the start stops naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-key-'));
  const file = join(dir, 'key');
  writeFileSync(file, `${KEY}\n`);
  assert.equal(loadConfig({ NODE_ENV: 'production', EMERGENCY_PACK_KEY_FILE: file }).emergency.key, KEY);
  assert.throws(
    () => loadConfig({ EMERGENCY_PACK_KEY_FILE: join(dir, 'missing') }),
    /EMERGENCY_PACK_KEY_FILE: cannot read .*missing \(ENOENT\)/,
  );
  writeFileSync(file, 'short');
  assert.throws(
    () => loadConfig({ EMERGENCY_PACK_KEY_FILE: file }),
    /EMERGENCY_PACK_KEY_FILE: .* must be 32 bytes of base64/,
  );
  assert.throws(() => loadConfig({ EMERGENCY_PACK_KEY: KEY, EMERGENCY_PACK_KEY_FILE: file }), /not both/);
});

test('TRUST_PROXY takes addresses and CIDR ranges only; unset trusts nobody', () => {
  assert.deepEqual(loadConfig({}).trustProxy, []);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,::1' }).trustProxy, [
    '10.0.0.0/8',
    '192.0.2.1',
    '::1',
  ]);
  for (const bad of ['true', '10.0.0.0/33', 'proxy.council.example', '10.0.0.1/8/1']) {
    assert.equal(isAddressOrCidr(bad), false, bad);
  }
  assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY/);
});

test('OpenID Connect settings: all three together, a role map of known roles, OIDC only needs a provider', () => {
  const oidc = {
    OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant/v2.0',
    OIDC_CLIENT_ID: 'client',
    OIDC_CLIENT_SECRET: 'secret',
  };
  assert.equal(loadConfig({}).oidc, null);
  assert.throws(
    () => loadConfig({ OIDC_ISSUER_URL: oidc.OIDC_ISSUER_URL }),
    /OIDC_CLIENT_ID: set OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together/,
  );
  assert.throws(() => loadConfig({ OIDC_ONLY: 'true' }), /OIDC_ONLY: needs OIDC_ISSUER_URL/);
  assert.throws(
    () => loadConfig({ ...oidc, OIDC_ROLE_MAP: 'Harbour.Boss=overlord' }),
    /OIDC_ROLE_MAP: must be claim-value=role pairs/,
  );
  const c = loadConfig({
    ...oidc,
    OIDC_ROLE_MAP: 'Harbour.Admin=admin, Harbour.Managers=team_manager+worker',
    OIDC_ONLY: 'true',
    OIDC_BREAK_GLASS_ADMINS: 'Admin@Council.example',
  });
  assert.deepEqual(c.oidc?.roleMap, { 'Harbour.Admin': ['admin'], 'Harbour.Managers': ['team_manager', 'worker'] });
  assert.deepEqual(c.oidc?.breakGlassAdmins, ['admin@council.example']);
  assert.equal(parseRoleMap('no-equals'), null);
});

test('audit checkpoints: a file and a key of at least 32 characters', () => {
  assert.deepEqual(loadConfig({}).auditCheckpoint, { file: null, key: null });
  assert.throws(
    () => loadConfig({ AUDIT_CHECKPOINT_KEY: 'short' }),
    /AUDIT_CHECKPOINT_KEY: must be at least 32 characters/,
  );
  assert.deepEqual(
    loadConfig({ AUDIT_CHECKPOINT_FILE: '/var/log/harbour/cp.jsonl', AUDIT_CHECKPOINT_KEY: 'k'.repeat(32) })
      .auditCheckpoint,
    { file: '/var/log/harbour/cp.jsonl', key: 'k'.repeat(32) },
  );
});
