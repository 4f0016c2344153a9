import Decimal from 'decimal.js';
import type { ActivityStatus } from '@/db/schema';
import type { ActivityEntry } from '../types';

/**
 * Binance's raw history rows as ActivityEntries, from the exchange's own strings (never ccxt's
 * floats). A row whose status the normaliser does not know, or that lacks what an entry needs, is
 * kept as kind 'other' with a note saying why: never dropped.
 */

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

export type RawRow = Record<string, unknown>;
/** Binance's asset code to the common one (ccxt's safeCurrencyCode, as the balance adapter does). */
export type AssetCode = (code: string) => string;

/** "0.40000000" → "0.4"; null when the value is not a decimal. */
function decimal(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  try {
    const d = new D(String(value));
    return d.isFinite() ? d.toFixed() : null;
  } catch {
    return null;
  }
}

function negated(value: string): string {
  return new D(value).neg().toFixed();
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : null;
}

function millis(value: unknown): Date | null {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : null;
}

/** "2019-10-12 11:12:02": a withdrawal's times, written in UTC to the second. */
function utcDateTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/** An entry for a row the normaliser could not read: kept, not counted, with the reason. */
function unreadable(kind: string, externalId: string, occurredAt: Date | null, note: string): ActivityEntry {
  return {
    kind: 'other',
    externalId,
    occurredAt: occurredAt ?? new Date(0),
    asset: '?',
    amount: '0',
    status: 'pending',
    note: `Binance ${kind} Coinsphere could not read: ${note}.`,
  };
}

/** A kept row of an unknown status: its amounts stay, it counts toward no balance, the note says why. */
function unknownStatus(entry: ActivityEntry, what: string, status: unknown): ActivityEntry {
  return {
    ...entry,
    kind: 'other',
    status: 'pending',
    note: `Binance ${what} with status ${JSON.stringify(status)}, which Coinsphere does not know; not counted in balances.`,
  };
}

// ---------------------------------------------------------------------------------------------
// GET /api/v3/myTrades

/** One fill: asset = base (signed by side), counter = quote, fee in the commission asset. */
export function tradeEntry(row: RawRow, market: { id: string; base: string; quote: string }, code: AssetCode) {
  const id = text(row.id);
  const time = millis(row.time);
  const qty = decimal(row.qty);
  const quoteQty = decimal(row.quoteQty);
  const price = decimal(row.price);
  if (!id || !time || !qty || !quoteQty || typeof row.isBuyer !== 'boolean') {
    return unreadable('trade', `${market.id}:${id ?? 'unknown'}`, time, 'no id, time, quantity or side');
  }
  const buy = row.isBuyer;
  const commission = decimal(row.commission);
  const commissionAsset = text(row.commissionAsset);
  const entry: ActivityEntry = {
    kind: 'trade',
    // Trade ids are per symbol on Binance.
    externalId: `${market.id}:${id}`,
    occurredAt: time,
    asset: market.base,
    amount: buy ? qty : negated(qty),
    counterAsset: market.quote,
    counterAmount: buy ? negated(quoteQty) : quoteQty,
    price,
    feeAsset: commission && commissionAsset ? code(commissionAsset) : null,
    feeAmount: commission && commissionAsset ? commission : null,
    status: 'ok',
  };
  return entry;
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/capital/deposit/hisrec

/** 1 success, 6 credited but not yet withdrawable; 0 pending, 8 waiting for the user; 2 rejected, 7 wrong deposit. */
const DEPOSIT_STATUS: Record<string, ActivityStatus> = {
  '1': 'ok',
  '6': 'ok',
  '0': 'pending',
  '8': 'pending',
  '2': 'failed',
  '7': 'failed',
};

/** Binance writes "Internal transfer …" where a transfer between Binance users has no chain hash. */
function chainHash(value: unknown): string | null {
  const hash = text(value);
  return hash && !/^internal transfer/i.test(hash) ? hash : null;
}

export function depositEntry(row: RawRow, code: AssetCode): ActivityEntry {
  const id = text(row.id) ?? text(row.txId);
  const time = millis(row.insertTime);
  const amount = decimal(row.amount);
  const coin = text(row.coin);
  if (!id || !time || !amount || !coin) {
    return unreadable('deposit', `deposit:${id ?? text(row.txId) ?? 'unknown'}`, time, 'no id, time, amount or coin');
  }
  const entry: ActivityEntry = {
    kind: 'deposit',
    externalId: id,
    occurredAt: time,
    asset: code(coin),
    amount,
    status: DEPOSIT_STATUS[String(row.status)] ?? 'pending',
    network: text(row.network),
    txHash: chainHash(row.txId),
  };
  return String(row.status) in DEPOSIT_STATUS ? entry : unknownStatus(entry, 'deposit', row.status);
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/capital/withdraw/history

/** 6 completed; 0 email sent, 2 awaiting approval, 4 processing; 1 cancelled; 3 rejected, 5 failure. */
const WITHDRAWAL_STATUS: Record<string, ActivityStatus> = {
  '6': 'ok',
  '0': 'pending',
  '2': 'pending',
  '4': 'pending',
  '1': 'canceled',
  '3': 'failed',
  '5': 'failed',
};

/** `amount` arrived at the destination; `transactionFee` left the balance on top of it. */
export function withdrawalEntry(row: RawRow, code: AssetCode): ActivityEntry {
  const id = text(row.id);
  const time = utcDateTime(row.applyTime);
  const amount = decimal(row.amount);
  const coin = text(row.coin);
  if (!id || !time || !amount || !coin) {
    return unreadable('withdrawal', `withdrawal:${id ?? 'unknown'}`, time, 'no id, time, amount or coin');
  }
  const fee = decimal(row.transactionFee);
  const entry: ActivityEntry = {
    kind: 'withdrawal',
    externalId: id,
    occurredAt: time,
    asset: code(coin),
    amount: negated(amount),
    feeAsset: fee ? code(coin) : null,
    feeAmount: fee,
    status: WITHDRAWAL_STATUS[String(row.status)] ?? 'pending',
    network: text(row.network),
    txHash: chainHash(row.txId),
  };
  return String(row.status) in WITHDRAWAL_STATUS ? entry : unknownStatus(entry, 'withdrawal', row.status);
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/convert/tradeFlow

const CONVERT_STATUS: Record<string, ActivityStatus> = {
  SUCCESS: 'ok',
  PROCESS: 'pending',
  ACCEPT_SUCCESS: 'pending',
  FAIL: 'failed',
};

/** A convert: asset = what was received, counter = what was spent. */
export function convertEntry(row: RawRow, code: AssetCode): ActivityEntry {
  // quoteId is a string; orderId is a number past 2^53 that JSON would round.
  const id = text(row.quoteId);
  const time = millis(row.createTime);
  const fromAmount = decimal(row.fromAmount);
  const toAmount = decimal(row.toAmount);
  const from = text(row.fromAsset);
  const to = text(row.toAsset);
  if (!id || !time || !fromAmount || !toAmount || !from || !to) {
    return unreadable('convert', `convert:${id ?? 'unknown'}`, time, 'no id, time, assets or amounts');
  }
  const entry: ActivityEntry = {
    kind: 'convert',
    externalId: id,
    occurredAt: time,
    asset: code(to),
    amount: toAmount,
    counterAsset: code(from),
    counterAmount: negated(fromAmount),
    status: CONVERT_STATUS[String(row.orderStatus)] ?? 'pending',
  };
  return String(row.orderStatus) in CONVERT_STATUS ? entry : unknownStatus(entry, 'convert', row.orderStatus);
}

// ---------------------------------------------------------------------------------------------
// GET /sapi/v1/asset/dribblet

/**
 * One asset of a dust conversion into BNB: `amount` of the asset left, `transferedAmount` of BNB
 * arrived after Binance's `serviceChargeAmount` (also BNB) was taken, so the BNB side is the gross
 * amount with the charge as the fee.
 */
export function dustEntry(detail: RawRow, code: AssetCode): ActivityEntry {
  const id = text(detail.transId);
  const time = millis(detail.operateTime);
  const amount = decimal(detail.amount);
  const received = decimal(detail.transferedAmount);
  const charge = decimal(detail.serviceChargeAmount) ?? '0';
  const from = text(detail.fromAsset);
  if (!id || !time || !amount || !received || !from) {
    return unreadable('dust conversion', `dust:${id ?? 'unknown'}`, time, 'no id, time, asset or amounts');
  }
  const bnb = code('BNB');
  return {
    kind: 'convert',
    externalId: `dust:${id}:${from}`,
    occurredAt: time,
    asset: code(from),
    amount: negated(amount),
    counterAsset: bnb,
    counterAmount: new D(received).plus(charge).toFixed(),
    feeAsset: bnb,
    feeAmount: charge,
    status: 'ok',
  };
}

/** The dust log's conversions, each asset of each as its own entry. */
export function dustEntries(response: RawRow, code: AssetCode): ActivityEntry[] {
  const conversions = Array.isArray(response.userAssetDribblets) ? response.userAssetDribblets : [];
  const entries: ActivityEntry[] = [];
  for (const conversion of conversions as RawRow[]) {
    const details = Array.isArray(conversion?.userAssetDribbletDetails) ? conversion.userAssetDribbletDetails : [];
    for (const detail of details as RawRow[]) {
      entries.push(dustEntry({ operateTime: conversion.operateTime, ...detail }, code));
    }
  }
  return entries;
}

/** Every asset an entry moved: what market discovery derives markets from. */
export function assetsOf(entries: ActivityEntry[]): string[] {
  const assets = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'other') continue;
    for (const asset of [entry.asset, entry.counterAsset, entry.feeAsset]) if (asset) assets.add(asset);
  }
  return [...assets];
}
