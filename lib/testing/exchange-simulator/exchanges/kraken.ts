import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Decimal from 'decimal.js';
import type { Fault, SimAccount, SimContext, SimExchange, SimHistoryEvent, SimRequest, SimResponse } from '../types';
import { ledgersAnswer, type LedgerAssets } from './kraken-history';

// Kraken's REST API (api.kraken.com/0/…): public market data, and private POST calls signed with
// API-Sign = base64(HMAC-SHA512(base64decode(secret), uriPath + SHA256(nonce + postData))).
// Kraken answers almost every error with HTTP 200 and `{"error":["EAPI:…"],"result":{}}`.

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

interface KrakenAsset {
  altname: string;
  decimals: number;
}

/** Kraken's asset ids: legacy X/Z-prefixed codes keep a short altname (XXBT → XBT). */
const ASSETS: Record<string, KrakenAsset> = {
  XXBT: { altname: 'XBT', decimals: 10 },
  XETH: { altname: 'ETH', decimals: 10 },
  XXRP: { altname: 'XRP', decimals: 8 },
  XLTC: { altname: 'LTC', decimals: 10 },
  XXDG: { altname: 'XDG', decimals: 8 },
  ZUSD: { altname: 'USD', decimals: 4 },
  ZEUR: { altname: 'EUR', decimals: 4 },
  ZGBP: { altname: 'GBP', decimals: 4 },
  USDT: { altname: 'USDT', decimals: 8 },
  USDC: { altname: 'USDC', decimals: 8 },
  DOT: { altname: 'DOT', decimals: 10 },
  ADA: { altname: 'ADA', decimals: 8 },
  SOL: { altname: 'SOL', decimals: 10 },
};

/** Kraken altnames that differ from the common code. */
const COMMON_BY_ALTNAME: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };

/** Pairs listed even without a ticker price, so markets look like a real exchange's. */
const DEFAULT_SYMBOLS = ['BTC/USD', 'ETH/USD', 'BTC/EUR', 'EUR/USD', 'USDT/USD', 'DOT/USD', 'ADA/USD', 'SOL/USD'];

function commonCode(altname: string): string {
  return COMMON_BY_ALTNAME[altname] ?? altname;
}

function isLegacyId(id: string): boolean {
  return id.length === 4 && (id.startsWith('X') || id.startsWith('Z'));
}

/** Every asset the simulator knows: the static list plus whatever seeded accounts hold (XBT.F, DOT.S, …). */
function assetCatalog(ctx: SimContext): Record<string, KrakenAsset> {
  const catalog: Record<string, KrakenAsset> = { ...ASSETS };
  for (const account of ctx.accounts.values()) {
    if (account.exchange !== 'kraken') continue;
    for (const code of Object.keys(account.wallets.spot ?? {})) {
      catalog[code] ??= { altname: code, decimals: 10 };
    }
  }
  const codes = Object.keys(ctx.tickers.kraken).flatMap((symbol) => symbol.split('/'));
  for (const account of ctx.accounts.values()) {
    if (account.exchange === 'kraken') codes.push(...(account.history ?? []).flatMap(historyCodes));
  }
  for (const code of codes) {
    if (!assetIdForCommon(catalog, code)) catalog[code] = { altname: code, decimals: 8 };
  }
  return catalog;
}

/** The common codes an event touches, so the Assets list names everything the ledger does. */
function historyCodes(event: SimHistoryEvent): string[] {
  switch (event.kind) {
    case 'trade':
      return [event.base, event.quote, event.feeAsset];
    case 'convert':
      return [event.from, event.to];
    default:
      return [event.asset];
  }
}

/** How the ledger names assets: the simulator's own Kraken ids and decimals. */
function ledgerAssets(ctx: SimContext): LedgerAssets {
  const catalog = assetCatalog(ctx);
  const ids = new Map<string, string>();
  const idFor = (code: string) => {
    let id = ids.get(code);
    if (id === undefined) ids.set(code, (id = assetIdForCommon(catalog, code) ?? code));
    return id;
  };
  return {
    idFor,
    stakedIdFor: (code) => `${catalog[idFor(code)]?.altname ?? code}.S`,
    decimals: (id) => catalog[id]?.decimals ?? 10,
  };
}

function assetIdForCommon(catalog: Record<string, KrakenAsset>, code: string): string | undefined {
  return Object.keys(catalog).find((id) => !id.includes('.') && commonCode(catalog[id]!.altname) === code);
}

interface KrakenPair {
  id: string;
  symbol: string;
  altname: string;
  wsname: string;
  base: string;
  quote: string;
}

function pairList(ctx: SimContext): KrakenPair[] {
  const catalog = assetCatalog(ctx);
  const symbols = new Set([...DEFAULT_SYMBOLS, ...Object.keys(ctx.tickers.kraken)]);
  const pairs: KrakenPair[] = [];
  for (const symbol of symbols) {
    const [baseCode = '', quoteCode = ''] = symbol.split('/');
    const base = assetIdForCommon(catalog, baseCode);
    const quote = assetIdForCommon(catalog, quoteCode);
    if (!base || !quote) continue;
    const baseAlt = catalog[base]!.altname;
    const quoteAlt = catalog[quote]!.altname;
    pairs.push({
      // Kraken's own quirk: pairs of two legacy assets are named by ids (XXBTZUSD), others by altnames (DOTUSD).
      id: isLegacyId(base) && isLegacyId(quote) ? base + quote : baseAlt + quoteAlt,
      symbol,
      altname: baseAlt + quoteAlt,
      wsname: `${baseAlt}/${quoteAlt}`,
      base,
      quote,
    });
  }
  return pairs;
}

function ok(result: unknown, status = 200, headers?: Record<string, string>): SimResponse {
  return { status, headers, body: { error: [], result } };
}

function krakenError(error: string, status = 200, headers?: Record<string, string>): SimResponse {
  return { status, headers, body: { error: [error], result: {} } };
}

const CLOUDFLARE_PAGE = (status: number) =>
  `<!DOCTYPE html><html><head><title>${status} | api.kraken.com | Cloudflare</title></head><body>Error ${status}</body></html>`;

/** The answer real Kraken (or the Cloudflare edge in front of it) gives for each injected failure. */
function faultResponse(fault: Fault): SimResponse {
  switch (fault.kind) {
    case 'auth':
      return krakenError('EAPI:Invalid key');
    case 'forbidden':
      return krakenError('EGeneral:Permission denied');
    case 'rate_limit':
      return krakenError(
        'EAPI:Rate limit exceeded',
        429,
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : undefined,
      );
    case 'ban':
      return krakenError('EGeneral:Temporary lockout');
    case 'server_error':
      return krakenError('EGeneral:Internal error', 500);
    case 'unavailable':
      return krakenError('EService:Unavailable', 503);
    case 'bad_gateway':
      return { status: 502, body: CLOUDFLARE_PAGE(502) };
    case 'gateway_timeout':
      return { status: 504, body: CLOUDFLARE_PAGE(504) };
    case 'nonce':
    case 'clock_skew':
      return krakenError('EAPI:Invalid nonce');
    default:
      return krakenError('EGeneral:Internal error', 500);
  }
}

function header(req: SimRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function nonceOf(req: SimRequest): bigint | null {
  let raw: unknown;
  if ((header(req, 'content-type') ?? '').includes('json')) {
    try {
      raw = (JSON.parse(req.body) as { nonce?: unknown }).nonce;
    } catch {
      return null;
    }
  } else {
    raw = new URLSearchParams(req.body).get('nonce');
  }
  const text = String(raw ?? '');
  return /^\d{1,20}$/.test(text) ? BigInt(text) : null;
}

function validSignature(req: SimRequest, secret: string, nonce: string): boolean {
  const given = Buffer.from(header(req, 'api-sign') ?? '', 'base64');
  const digest = createHash('sha256')
    .update(nonce + req.body)
    .digest();
  const expected = createHmac('sha512', Buffer.from(secret, 'base64'))
    .update(Buffer.concat([Buffer.from(req.path), digest]))
    .digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function lastNonces(ctx: SimContext): Map<string, unknown> {
  return (ctx.scratch.kraken ??= new Map());
}

/** Kraken pads each amount to the asset's decimals ("0.5000000000"); never fewer than the seeded digits. */
function formatAmount(value: InstanceType<typeof D>, decimals: number): string {
  return value.toFixed(Math.max(decimals, value.decimalPlaces()));
}

function balanceEx(account: SimAccount, ctx: SimContext): Record<string, { balance: string; hold_trade: string }> {
  const catalog = assetCatalog(ctx);
  const result: Record<string, { balance: string; hold_trade: string }> = {};
  for (const [code, { free, used }] of Object.entries(account.wallets.spot ?? {})) {
    const decimals = catalog[code]?.decimals ?? 10;
    const hold = new D(used || '0');
    result[code] = {
      balance: formatAmount(new D(free || '0').plus(hold), decimals),
      hold_trade: formatAmount(hold, decimals),
    };
  }
  return result;
}

const READ_PERMISSIONS = ['query-funds', 'query-open-trades', 'query-closed-trades', 'query-ledger'];

function apiKeyInfo(account: SimAccount, nonce: bigint) {
  const { read, trade, withdraw, transfer, ipRestricted } = account.permissions;
  return {
    apiKeyName: `sim-${account.apiKey.slice(0, 8)}`,
    apiKey: account.apiKey,
    nonce: nonce.toString(),
    nonceWindow: 0,
    permissions: [
      ...(read ? READ_PERMISSIONS : []),
      ...(trade ? ['modify-trades', 'close-trades'] : []),
      ...(withdraw ? ['withdraw-funds'] : []),
      ...(transfer ? ['earn-funds'] : []),
    ],
    iban: 'AA00 SIMU LATO RKEY',
    validUntil: '0',
    queryFrom: '0',
    queryTo: '0',
    createdTime: '1700000000',
    modifiedTime: '1700000000',
    ipAllowlist: ipRestricted ? ['203.0.113.7/32'] : [],
    lastUsed: String(Math.floor(Number(nonce) / 1000)),
  };
}

function handlePrivate(req: SimRequest, ctx: SimContext, fault?: Fault): { response: SimResponse; verified: boolean } {
  const apiKey = header(req, 'api-key');
  const account = apiKey ? ctx.accounts.get(apiKey) : undefined;
  if (!account || account.exchange !== 'kraken') return { response: krakenError('EAPI:Invalid key'), verified: false };
  const nonce = nonceOf(req);
  if (nonce === null) return { response: krakenError('EAPI:Invalid nonce'), verified: false };
  if (!validSignature(req, account.secret, nonce.toString())) {
    return { response: krakenError('EAPI:Invalid signature'), verified: false };
  }
  if (fault) return { response: faultResponse(fault), verified: false };
  const nonces = lastNonces(ctx);
  const last = nonces.get(account.apiKey);
  if (typeof last === 'bigint' && nonce <= last)
    return { response: krakenError('EAPI:Invalid nonce'), verified: false };
  nonces.set(account.apiKey, nonce);

  const method = req.path.slice('/0/private/'.length);
  const canQueryFunds = account.permissions.read;
  switch (method) {
    case 'BalanceEx':
      if (!canQueryFunds) return { response: krakenError('EGeneral:Permission denied'), verified: true };
      return { response: ok(balanceEx(account, ctx)), verified: true };
    case 'Balance': {
      if (!canQueryFunds) return { response: krakenError('EGeneral:Permission denied'), verified: true };
      const balances = Object.fromEntries(Object.entries(balanceEx(account, ctx)).map(([c, b]) => [c, b.balance]));
      return { response: ok(balances), verified: true };
    }
    case 'GetApiKeyInfo':
      return { response: ok(apiKeyInfo(account, nonce)), verified: true };
    case 'Ledgers': {
      // query-ledger comes with a read-only key (READ_PERMISSIONS).
      if (!canQueryFunds) return { response: krakenError('EGeneral:Permission denied'), verified: true };
      const answer = ledgersAnswer(account, ledgerAssets(ctx), {
        body: req.body,
        contentType: header(req, 'content-type') ?? '',
        now: req.now,
      });
      return { response: 'error' in answer ? krakenError(answer.error) : ok(answer.result), verified: true };
    }
    default:
      return { response: krakenError('EGeneral:Unknown method', 404), verified: true };
  }
}

function listFilter(req: SimRequest, name: string): Set<string> | null {
  const value = req.query.get(name);
  return value ? new Set(value.split(',').map((item) => item.trim())) : null;
}

function tickerBody(price: string) {
  return {
    a: [price, '1', '1.000'],
    b: [price, '1', '1.000'],
    c: [price, '0.10000000'],
    v: ['100.00000000', '1000.00000000'],
    p: [price, price],
    t: [100, 1000],
    l: [price, price],
    h: [price, price],
    o: price,
  };
}

function handlePublic(req: SimRequest, ctx: SimContext): SimResponse {
  const method = req.path.slice('/0/public/'.length);
  switch (method) {
    case 'Time': {
      const seconds = Math.floor(req.now / 1000);
      return ok({ unixtime: seconds, rfc1123: new Date(req.now).toUTCString() });
    }
    case 'SystemStatus':
      return ok({ status: 'online', timestamp: new Date(req.now).toISOString().replace(/\.\d+Z$/, 'Z') });
    case 'Assets': {
      const wanted = listFilter(req, 'asset');
      const result: Record<string, unknown> = {};
      for (const [id, asset] of Object.entries(assetCatalog(ctx))) {
        if (wanted && !wanted.has(id) && !wanted.has(asset.altname)) continue;
        result[id] = {
          aclass: 'currency',
          altname: asset.altname,
          decimals: asset.decimals,
          display_decimals: Math.min(asset.decimals, 5),
          status: 'enabled',
        };
      }
      return ok(result);
    }
    case 'AssetPairs': {
      const wanted = listFilter(req, 'pair');
      const result: Record<string, unknown> = {};
      for (const pair of pairList(ctx)) {
        if (wanted && !wanted.has(pair.id) && !wanted.has(pair.altname)) continue;
        result[pair.id] = {
          altname: pair.altname,
          wsname: pair.wsname,
          aclass_base: 'currency',
          base: pair.base,
          aclass_quote: 'currency',
          quote: pair.quote,
          lot: 'unit',
          cost_decimals: 5,
          pair_decimals: 2,
          lot_decimals: 8,
          lot_multiplier: 1,
          leverage_buy: [],
          leverage_sell: [],
          fees: [[0, 0.4]],
          fees_maker: [[0, 0.25]],
          fee_volume_currency: 'ZUSD',
          margin_call: 80,
          margin_stop: 40,
          ordermin: '0.0001',
          costmin: '0.5',
          tick_size: '0.01',
          status: 'online',
        };
      }
      return ok(result);
    }
    case 'Ticker': {
      const wanted = listFilter(req, 'pair');
      const pairs = pairList(ctx);
      const unknown = wanted && [...wanted].some((name) => !pairs.some((p) => p.id === name || p.altname === name));
      if (unknown) return krakenError('EQuery:Unknown asset pair');
      const result: Record<string, unknown> = {};
      for (const pair of pairs) {
        if (wanted && !wanted.has(pair.id) && !wanted.has(pair.altname)) continue;
        const price = ctx.tickers.kraken[pair.symbol];
        if (price !== undefined) result[pair.id] = tickerBody(price);
      }
      return ok(result);
    }
    default:
      return krakenError('EGeneral:Unknown method', 404);
  }
}

export const kraken: SimExchange = {
  id: 'kraken',
  hosts: ['api.kraken.com'],
  claimedKey(req) {
    return req.path.startsWith('/0/private/') ? (header(req, 'api-key') ?? null) : null;
  },
  handle(req, ctx, fault) {
    if (req.path.startsWith('/0/private/')) {
      if (req.method !== 'POST') return { response: krakenError('EGeneral:Invalid arguments'), verified: false };
      return handlePrivate(req, ctx, fault);
    }
    if (req.path.startsWith('/0/public/')) return { response: handlePublic(req, ctx), verified: null };
    return { response: krakenError('EGeneral:Unknown method', 404), verified: null };
  },
};
