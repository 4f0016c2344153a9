import ccxt, { type LedgerEntry, type Trade, type Transaction } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { exactAmount, ledgerEntry, tradeEntry, transferEntry } from './normalise';

const client = new ccxt.kraken();

const ledger = (fields: Partial<LedgerEntry>): LedgerEntry =>
  ({ id: 'L1', timestamp: 1_700_000_000_000, currency: 'BTC', status: 'ok', info: {}, ...fields }) as LedgerEntry;

describe('best-effort normalisers', () => {
  it('takes an amount from the raw answer when it is the same number, exactly', () => {
    expect(exactAmount(client, 0.3, { amount: '-0.30000000000000001' }, ['amount'])).toBe('0.30000000000000001');
    // A raw field that is another number is not used.
    expect(exactAmount(client, 0.3, { amount: '0.31' }, ['amount'])).toBe('0.3');
    expect(exactAmount(client, 1e-8, {}, ['amount'])).toBe('0.00000001');
    expect(exactAmount(client, undefined, {}, ['amount'])).toBeNull();
  });

  it('signs a ledger entry by its direction, with its fee, and keeps an unknown type as other', () => {
    const out = ledgerEntry(
      client,
      'Kraken',
      ledger({
        type: 'transaction',
        direction: 'out',
        amount: 0.5,
        fee: { cost: 0.0001, currency: 'BTC' },
        info: { amount: '-0.5000000000', fee: '0.0001000000' },
      }),
    );
    expect(out).toMatchObject({
      kind: 'withdrawal',
      amount: '-0.5',
      feeAsset: 'BTC',
      feeAmount: '0.0001',
      status: 'ok',
      externalId: 'L1',
    });
    const odd = ledgerEntry(client, 'Kraken', ledger({ type: 'rollover', direction: 'in', amount: 2 }));
    expect(odd).toMatchObject({ kind: 'other', amount: '2' });
    expect(odd.note).toContain('"rollover"');
  });

  it('makes a trade one entry: base and quote signed, the cost from the exact amount and price', () => {
    const trade = {
      id: 'T1',
      symbol: 'ETH/USD',
      side: 'sell',
      amount: 0.1,
      price: 3000.1,
      cost: 300.01000000000005,
      timestamp: 1_700_000_000_000,
      fee: { cost: 0.3, currency: 'USD' },
      info: { vol: '0.10000000', price: '3000.10', fee: '0.30000' },
    } as unknown as Trade;
    expect(tradeEntry(client, 'Kraken', trade)).toMatchObject({
      kind: 'trade',
      externalId: 'ETH/USD:T1',
      asset: 'ETH',
      amount: '-0.1',
      counterAsset: 'USD',
      counterAmount: '300.01',
      price: '3000.1',
      feeAsset: 'USD',
      feeAmount: '0.3',
    });
  });

  it('makes a withdrawal negative and maps an unknown status to pending', () => {
    const withdrawal = {
      id: 'W1',
      txid: '0xabc',
      amount: 1.5,
      currency: 'ETH',
      status: 'weird',
      network: 'ERC20',
      timestamp: 1,
      info: {},
    } as unknown as Transaction;
    expect(transferEntry(client, withdrawal, 'withdrawal')).toMatchObject({
      kind: 'withdrawal',
      amount: '-1.5',
      status: 'pending',
      txHash: '0xabc',
      network: 'ERC20',
    });
  });
});
