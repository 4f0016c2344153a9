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

/**
 * Runs an optional wallet read: its failure becomes a warning, never a failed sync — except a request
 * the installation's budget refused, which fails the whole read so it is retried in full later
 * instead of applying balances with a wallet missing.
 */
export async function optionalWallet(
  rows: BalanceRow[],
  warnings: string[],
  warning: string,
  read: () => Promise<BalanceRow[]>,
): Promise<void> {
  try {
    rows.push(...(await read()));
  } catch (error) {
    if (error instanceof ExchangeBudgetExhaustedError) throw error;
    warnings.push(warning);
  }
}
