import 'server-only';
import { safeErrorMessage } from './redact';
import { KeyringError } from './keyring';
import { verifyKeyring } from './self-check';

export async function checkVaultAtStartup(): Promise<void> {
  try {
    const { enrolled, warnings } = await verifyKeyring();
    if (enrolled.length > 0) console.info(`Vault: enrolled encryption key(s) ${enrolled.join(', ')}.`);
    for (const warning of warnings) console.error(`Vault: ${warning}`);
  } catch (error) {
    const reason = error instanceof KeyringError ? error.message : safeErrorMessage(error);
    console.error(`Coinsphere cannot start: ${reason}`);
    process.exit(1);
  }
}
