import { describe, expect, it } from 'vitest';
import { convertEntry, depositEntry, dustEntries, tradeEntry, withdrawalEntry } from './normalise';

// Binance's own codes are the common ones except a few ccxt renames; BCHSV → BSV is one of them.
const code = (asset: string) => (asset === 'BCHSV' ? 'BSV' : asset);

describe('binance history normaliser', () => {
  it('keeps a deposit of a status it does not know as kind other, with a note, counted nowhere', () => {
    const entry = depositEntry(
      {
        id: '769800519366885376',
        amount: '0.00100000',
        coin: 'BCHSV',
        network: 'BSV',
        status: 99,
        txId: '98A3EA56',
        insertTime: 1661493146000,
      },
      code,
    );
    expect(entry).toEqual({
      kind: 'other',
      externalId: '769800519366885376',
      occurredAt: new Date(1661493146000),
      asset: 'BSV',
      amount: '0.001',
      status: 'pending',
      network: 'BSV',
      txHash: '98A3EA56',
      note: 'Binance deposit with status 99, which Coinsphere does not know; not counted in balances.',
    });
  });

  it('keeps a row it cannot read as kind other with a note, never dropped', () => {
    expect(withdrawalEntry({ id: 'w-1', coin: 'USDT', status: 6, applyTime: '2024-03-01 10:00:00' }, code)).toEqual({
      kind: 'other',
      externalId: 'withdrawal:w-1',
      occurredAt: new Date('2024-03-01T10:00:00Z'),
      asset: '?',
      amount: '0',
      status: 'pending',
      note: 'Binance withdrawal Coinsphere could not read: no id, time, amount or coin.',
    });
    expect(convertEntry({ quoteId: 'q-1', createTime: 1, orderStatus: 'SUCCESS' }, code).kind).toBe('other');
  });

  it('maps the statuses Binance documents', () => {
    const deposit = (status: number) =>
      depositEntry({ id: 'd', amount: '1', coin: 'BTC', status, insertTime: 1 }, code).status;
    expect([1, 6, 0, 8, 2, 7].map(deposit)).toEqual(['ok', 'ok', 'pending', 'pending', 'failed', 'failed']);
    const withdrawal = (status: number) =>
      withdrawalEntry({ id: 'w', amount: '1', coin: 'BTC', status, applyTime: '2024-03-01 10:00:00' }, code).status;
    expect([6, 0, 2, 4, 1, 3, 5].map(withdrawal)).toEqual([
      'ok',
      'pending',
      'pending',
      'pending',
      'canceled',
      'failed',
      'failed',
    ]);
    const convert = (orderStatus: string) =>
      convertEntry(
        { quoteId: 'q', fromAsset: 'USDT', fromAmount: '1', toAsset: 'BTC', toAmount: '1', createTime: 1, orderStatus },
        code,
      );
    expect(['SUCCESS', 'PROCESS', 'FAIL'].map((s) => convert(s).status)).toEqual(['ok', 'pending', 'failed']);
    expect(convert('EXPIRED')).toMatchObject({ kind: 'other', status: 'pending' });
  });

  it('reads an internal transfer deposit without a chain hash', () => {
    const entry = depositEntry(
      { id: 'd', amount: '5', coin: 'USDT', status: 1, insertTime: 1, txId: 'Internal transfer 12345', transferType: 1 },
      code,
    );
    expect(entry).toMatchObject({ kind: 'deposit', amount: '5', txHash: null });
  });

  it('reads a sale with its fee in BNB, exactly', () => {
    const entry = tradeEntry(
      {
        symbol: 'BNBBTC',
        id: 28457,
        price: '0.00810000',
        qty: '12.30000000',
        quoteQty: '0.09963000',
        commission: '0.00923000',
        commissionAsset: 'BNB',
        time: 1499865549590,
        isBuyer: false,
      },
      { id: 'BNBBTC', base: 'BNB', quote: 'BTC' },
      code,
    );
    expect(entry).toEqual({
      kind: 'trade',
      externalId: 'BNBBTC:28457',
      occurredAt: new Date(1499865549590),
      asset: 'BNB',
      amount: '-12.3',
      counterAsset: 'BTC',
      counterAmount: '0.09963',
      price: '0.0081',
      feeAsset: 'BNB',
      feeAmount: '0.00923',
      status: 'ok',
    });
  });

  it('reads dust conversions: each asset out, the BNB in before the charge, the charge as the fee', () => {
    const entries = dustEntries(
      {
        total: 1,
        userAssetDribblets: [
          {
            operateTime: 1615985535000,
            totalTransferedAmount: '0.00132256',
            totalServiceChargeAmount: '0.00002699',
            transId: 45178372831,
            userAssetDribbletDetails: [
              {
                transId: 4359321,
                serviceChargeAmount: '0.000009',
                amount: '0.0009',
                operateTime: 1615985535000,
                transferedAmount: '0.000441',
                fromAsset: 'USDT',
              },
              {
                transId: 4359321,
                serviceChargeAmount: '0.00001799',
                amount: '0.0009',
                operateTime: 1615985535000,
                transferedAmount: '0.00088156',
                fromAsset: 'ETH',
              },
            ],
          },
        ],
      },
      code,
    );
    expect(entries).toEqual([
      {
        kind: 'convert',
        externalId: 'dust:4359321:USDT',
        occurredAt: new Date(1615985535000),
        asset: 'USDT',
        amount: '-0.0009',
        counterAsset: 'BNB',
        counterAmount: '0.00045',
        feeAsset: 'BNB',
        feeAmount: '0.000009',
        status: 'ok',
      },
      {
        kind: 'convert',
        externalId: 'dust:4359321:ETH',
        occurredAt: new Date(1615985535000),
        asset: 'ETH',
        amount: '-0.0009',
        counterAsset: 'BNB',
        counterAmount: '0.00089955',
        feeAsset: 'BNB',
        feeAmount: '0.00001799',
        status: 'ok',
      },
    ]);
  });
});
