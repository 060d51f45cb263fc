import type { Command } from 'commander';
import { fail, withServices } from './context.ts';

/** `harbour emergency rotate-key`. */
export function registerEmergencyCommands(program: Command): void {
  const emergency = program.command('emergency').description('emergency contact and medical details (Appendix A)');
  emergency
    .command('rotate-key')
    .description(
      're-encrypt every pack with EMERGENCY_PACK_KEY (keep the old key in EMERGENCY_PACK_PREVIOUS_KEYS until this is done)',
    )
    .action(() =>
      withServices(async ({ services }) => {
        const { keyId, development } = await services.emergency.ensureKey();
        if (development)
          fail(
            'EMERGENCY_PACK_KEY is not set: set the new key (and the old one in EMERGENCY_PACK_PREVIOUS_KEYS) first',
          );
        const result = await services.emergency.rotateKey();
        console.log(`Re-encrypted ${result.reencrypted} pack(s) with key ${keyId}`);
        // Authenticator-app keys are sealed with the same keyring.
        const totp = await services.auth.resealTotpSecrets();
        console.log(`Sealed ${totp.resealed} authenticator-app key(s) with key ${keyId}`);
        if (result.unreadable.length)
          fail(
            `${result.unreadable.length} pack(s) could not be opened with any configured key (staff ids ${result.unreadable.join(', ')}): add their key to EMERGENCY_PACK_PREVIOUS_KEYS and run this again`,
          );
        if (totp.unreadable.length)
          fail(
            `${totp.unreadable.length} authenticator-app key(s) could not be opened with any configured key (account ids ${totp.unreadable.join(', ')}): add their key to EMERGENCY_PACK_PREVIOUS_KEYS and run this again, or reset their second factor`,
          );
      }),
    );
}
