import 'server-only';
import { KeyringError } from './keyring';
import { verifyKeyring } from './self-check';
import { logger } from '@/lib/log';

export async function checkVaultAtStartup(): Promise<void> {
  try {
    const { enrolled, warnings } = await verifyKeyring();
    if (enrolled.length > 0) logger.info(`Vault: enrolled encryption key(s) ${enrolled.join(', ')}.`);
    for (const warning of warnings) logger.error(`Vault: ${warning}`);
  } catch (error) {
    if (error instanceof KeyringError) logger.fatal(`Coinsphere cannot start: ${error.message}`);
    else logger.fatal({ err: error }, 'Coinsphere cannot start: the encryption key check failed');
    process.exit(1);
  }
}
