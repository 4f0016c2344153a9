import { isHighFrequency } from '../adapters/kucoin';
import { classicLedger, hfLedger } from './kucoin/ledger-endpoints';
import { readLedgerPage } from './kucoin/ledger-stream';
import type { HistoryStrategy } from './types';

/** The main and classic trading accounts' ledger. */
export const CLASSIC_LEDGER_STREAM = 'ledger';
/** The high-frequency trading account's ledger, for accounts KuCoin migrated. */
export const HF_LEDGER_STREAM = 'ledger:hf';

/**
 * KuCoin, verified against the simulator. The ledgers record every balance change (deposits,
 * withdrawals, both sides of each trade, rewards, transfers, fees), so they are the only streams:
 * fills and deposit lists would add requests and nothing the balance needs. The classic ledger serves
 * the main and trading accounts in 24-hour windows; a high-frequency account's trading ledger is a
 * second stream in 7-day windows. KuCoin serves a year back.
 */
export const kucoinHistory: HistoryStrategy = {
  exchangeId: 'kucoin',
  verified: true,
  completeHistory: false,
  limits: [
    'KuCoin keeps one year of account history for apps like this one; anything older is not imported, so balances from before then show as unexplained.',
    'KuCoin hands its history out one day at a time, so the first import of a KuCoin account takes at least 365 requests (a minute or more), even for a quiet account.',
    'Deposits and withdrawals appear once completed; pending or failed ones are not listed, and KuCoin does not say which network they used.',
    'Futures, margin, Earn and sub-account activity is not imported.',
  ],

  async streams(client) {
    return (await isHighFrequency(client)) ? [CLASSIC_LEDGER_STREAM, HF_LEDGER_STREAM] : [CLASSIC_LEDGER_STREAM];
  },

  async fetchPage(client, request) {
    if (request.stream === CLASSIC_LEDGER_STREAM) return readLedgerPage(client, classicLedger, request);
    if (request.stream === HF_LEDGER_STREAM) return readLedgerPage(client, hfLedger, request);
    throw new Error(`KuCoin has no history stream "${request.stream}".`);
  },
};
