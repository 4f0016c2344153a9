import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '@/db/client';

/**
 * Reads a development-only value kept under the data folder, generating it on first use.
 * Written with mode 0600 and `wx` so two processes starting together cannot both write it.
 */
export function readOrCreateDataFile(name: string, generate: () => string): { value: string; created: boolean } {
  const file = path.join(dataDir(), name);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, generate(), { flag: 'wx', mode: 0o600 });
      chmodSync(file, 0o600);
      return { value: readFileSync(file, 'utf8').trim(), created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return { value: readFileSync(file, 'utf8').trim(), created: false };
}

export const isProduction = () => process.env.NODE_ENV === 'production';
