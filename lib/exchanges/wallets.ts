import type { Exchange } from 'ccxt';
import { addDecimals, isZero, toDecimalString } from './amounts';
import { assertParsed } from './malformed';
import type { BalanceRow } from './types';
import { ExchangeBudgetExhaustedError } from '@/lib/limits/budget-error';

/** ccxt's unified balance → rows for one wallet, zero rows dropped. Amounts via strings, never float sums. */
export function rowsFromCcxtBalance(
  balance: Awaited<ReturnType<Exchange['fetchBalance']>>,
  wallet: string,
): BalanceRow[] {
  assertParsed(balance.info, `the ${wallet} balance`);
  const rows: BalanceRow[] = [];
  const totals = (balance.total ?? {}) as unknown as Record<string, unknown>;
  for (const asset of Object.keys(totals)) {
    const entry = balance[asset] as { free?: unknown; used?: unknown; total?: unknown } | undefined;
    const free = toDecimalString(entry?.free);
    const used = toDecimalString(entry?.used);
    const total =
      entry?.total !== undefined && entry.total !== null ? toDecimalString(entry.total) : addDecimals(free, used);
    if (isZero(total) && isZero(free) && isZero(used)) continue;
    rows.push({ asset, wallet, free, used, total });
  }
  return rows;
}

/** Where optional wallet reads that failed are noted: the user's warning and the wallet's name. */
export interface WalletFailures {
  warnings: string[];
  unreadWallets: string[];
}

/**
 * Runs an optional wallet read: its failure becomes a warning and names the wallet as unread (its
 * stored holdings are kept), never a failed sync — except a request the installation's budget refused,
 * which fails the whole read so the sync waits as rate limited and is retried in full.
 */
export async function optionalWallet(
  rows: BalanceRow[],
  failures: WalletFailures,
  wallet: string,
  warning: string,
  read: () => Promise<BalanceRow[]>,
): Promise<void> {
  try {
    rows.push(...(await read()));
  } catch (error) {
    if (error instanceof ExchangeBudgetExhaustedError) throw error;
    failures.warnings.push(warning);
    failures.unreadWallets.push(wallet);
  }
}
