import { z } from 'zod';

/**
 * Everything an exchange may need to sign requests, named as ccxt names it (`password` is the
 * passphrase). The whole set is encrypted as one JSON value.
 */
export const exchangeCredentialsSchema = z
  .object({
    apiKey: z.string().min(1),
    secret: z.string().optional(),
    password: z.string().optional(),
    uid: z.string().optional(),
    privateKey: z.string().optional(),
    walletAddress: z.string().optional(),
    accountId: z.string().optional(),
    login: z.string().optional(),
    token: z.string().optional(),
  })
  .strict();

export type ExchangeCredentials = z.infer<typeof exchangeCredentialsSchema>;

/** Every secret value in a credential set, for redaction. */
export function secretValues(credentials: ExchangeCredentials): string[] {
  return Object.values(credentials).filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/** What the user sees of a key: its last four characters. */
export function keyHint(apiKey: string): string {
  const trimmed = apiKey.trim();
  return trimmed.length <= 4 ? '•'.repeat(trimmed.length) : trimmed.slice(-4);
}
