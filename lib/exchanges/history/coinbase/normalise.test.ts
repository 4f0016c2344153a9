import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { normaliseFill } from './fills';
import { normaliseTransaction } from './transactions';

const client = new ccxt.coinbase();

const transaction = (type: string, amount: string, extra: Record<string, unknown> = {}) => ({
  id: 'c3a8b1f0-0000-4000-8000-000000000001',
  type,
  status: 'completed',
  amount: { amount, currency: 'BTC' },
  created_at: '2025-03-01T10:00:00Z',
  ...extra,
});

const fill = (extra: Record<string, unknown> = {}) => ({
  entry_id: 'e1',
  trade_id: 't1',
  order_id: 'o1',
  trade_time: '2025-03-01T10:00:00.123456789Z',
  trade_type: 'FILL',
  price: '3',
  size: '100',
  commission: '0.60',
  product_id: 'ETH-USD',
  sequence_timestamp: '2025-03-01T10:00:00.124Z',
  side: 'BUY',
  size_in_quote: false,
  ...extra,
});

describe('coinbase history normalisers', () => {
  it('keeps a transaction type it does not know as kind other, with its amount and a note', () => {
    const entry = normaliseTransaction(client, transaction('crypto_wizardry', '-0.01000000'));
    expect(entry).toMatchObject({
      kind: 'other',
      asset: 'BTC',
      amount: '-0.01',
      status: 'ok',
      externalId: 'c3a8b1f0-0000-4000-8000-000000000001',
      occurredAt: new Date('2025-03-01T10:00:00Z'),
    });
    expect(entry?.note).toContain('crypto_wizardry');
  });

  it('treats an unknown status as pending, with a note', () => {
    const entry = normaliseTransaction(client, transaction('staking_reward', '0.1', { status: 'mystery' }));
    expect(entry).toMatchObject({ kind: 'reward', status: 'pending' });
    expect(entry?.note).toContain('mystery');
  });

  it('skips advanced_trade_fill transactions, which the fills stream imports', () => {
    expect(normaliseTransaction(client, transaction('advanced_trade_fill', '0.1'))).toBeNull();
  });

  it('splits a send out into what arrived and the network fee', () => {
    const entry = normaliseTransaction(
      client,
      transaction('send', '-0.50010000', {
        network: { hash: '0xabc', network_name: 'bitcoin', transaction_fee: { amount: '0.0001', currency: 'BTC' } },
      }),
    );
    expect(entry).toMatchObject({
      kind: 'withdrawal',
      amount: '-0.5',
      feeAsset: 'BTC',
      feeAmount: '0.0001',
      txHash: '0xabc',
      network: 'bitcoin',
    });
  });

  it('calculates the coins of a quote-sized fill and says so when the division is not exact', () => {
    const exact = normaliseFill(client, fill({ size_in_quote: true, size: '99', price: '3' }));
    expect(exact).toMatchObject({
      kind: 'trade',
      asset: 'ETH',
      amount: '33',
      counterAsset: 'USD',
      counterAmount: '-99',
      note: null,
    });
    const rounded = normaliseFill(client, fill({ size_in_quote: true }));
    expect(rounded).toMatchObject({ amount: '33.33333333', counterAmount: '-100', feeAmount: '0.6', feeAsset: 'USD' });
    expect(rounded.note).toContain('calculated');
  });

  it('keeps a fill of an unknown trade type as kind other with a note', () => {
    const entry = normaliseFill(client, fill({ trade_type: 'REVERSAL', side: 'SELL' }));
    expect(entry).toMatchObject({ kind: 'other', amount: '-100', counterAmount: '300' });
    expect(entry.note).toContain('REVERSAL');
  });

  it('refuses a fill whose amount is not a decimal', () => {
    expect(() => normaliseFill(client, fill({ size: 12 }))).toThrow(/unreadable/);
  });
});
