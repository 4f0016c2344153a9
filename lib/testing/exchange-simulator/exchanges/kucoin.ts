import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Decimal from 'decimal.js';
import type { Fault, SimAccount, SimContext, SimExchange, SimRequest, SimResponse } from '../types';
import { classicLedger, hfLedger } from './kucoin-history';

const SPOT_HOST = 'api.kucoin.com';
const FUTURES_HOST = 'api-futures.kucoin.com';
const TIMESTAMP_WINDOW_MS = 5_000;

type Handled = { response: SimResponse; verified: boolean | null };

const ok = (data: unknown): SimResponse => ({ status: 200, body: { code: '200000', data } });

/** KuCoin's error envelope: HTTP status plus a six-digit code and its message. */
const fail = (status: number, code: string, msg: string, headers?: Record<string, string>): SimResponse => ({
  status,
  headers,
  body: { code, msg },
});

const ERRORS = {
  missingHeaders: () =>
    fail(
      401,
      '400001',
      'Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in your request header.',
    ),
  timestamp: () =>
    fail(401, '400002', 'KC-API-TIMESTAMP Invalid -- Time differs from server time by more than 5 seconds'),
  unknownKey: () => fail(401, '400003', 'KC-API-KEY not exists'),
  passphrase: () => fail(401, '400004', 'Invalid KC-API-PASSPHRASE'),
  signature: () => fail(401, '400005', 'Invalid KC-API-SIGN'),
  noPermission: () =>
    fail(403, '400007', 'Access Denied -- Your api key does not have sufficient permissions to access the uri'),
  notFound: () => fail(404, '404000', 'Url Not Found.'),
};

function header(req: SimRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const hmacBase64 = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64');

/**
 * KuCoin's v2 signature: KC-API-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD + path?rawQuery + body)),
 * and KC-API-PASSPHRASE is the passphrase HMAC-ed with the secret (plain only for long-retired v1 keys).
 * The signature is checked before the passphrase, so a wrong secret reads as a bad signature.
 */
function authenticate(req: SimRequest, ctx: SimContext): { account: SimAccount } | { refusal: SimResponse } {
  const apiKey = header(req, 'KC-API-KEY');
  const timestamp = header(req, 'KC-API-TIMESTAMP');
  const signature = header(req, 'KC-API-SIGN');
  const passphrase = header(req, 'KC-API-PASSPHRASE');
  if (!apiKey || !timestamp || !signature || !passphrase) return { refusal: ERRORS.missingHeaders() };

  const account = ctx.accounts.get(apiKey);
  if (!account || account.exchange !== 'kucoin') return { refusal: ERRORS.unknownKey() };

  const sentAt = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(req.now - sentAt) > TIMESTAMP_WINDOW_MS) {
    return { refusal: ERRORS.timestamp() };
  }

  const endpoint = req.rawQuery ? `${req.path}?${req.rawQuery}` : req.path;
  const expectedSignature = hmacBase64(account.secret, `${timestamp}${req.method.toUpperCase()}${endpoint}${req.body}`);
  if (!sameText(signature, expectedSignature)) return { refusal: ERRORS.signature() };

  const expectedPassphrase =
    header(req, 'KC-API-KEY-VERSION') === '1'
      ? (account.passphrase ?? '')
      : hmacBase64(account.secret, account.passphrase ?? '');
  if (!sameText(passphrase, expectedPassphrase)) return { refusal: ERRORS.passphrase() };

  return { account };
}

/** The exchange's answer to an injected fault (delay/html/truncated are the server's). */
function faultResponse(fault: Fault): Handled {
  switch (fault.kind) {
    case 'auth':
      return { response: ERRORS.unknownKey(), verified: false };
    case 'forbidden':
      return { response: ERRORS.noPermission(), verified: false };
    case 'nonce':
    case 'clock_skew':
      return { response: ERRORS.timestamp(), verified: false };
    // KuCoin has no 418: a ban is a longer 429.
    case 'rate_limit':
    case 'ban': {
      const seconds = fault.retryAfterSeconds ?? (fault.kind === 'ban' ? 600 : 30);
      const headers = {
        'Retry-After': String(seconds),
        'gw-ratelimit-limit': '4000',
        'gw-ratelimit-remaining': '0',
        'gw-ratelimit-reset': String(seconds * 1000),
      };
      return { response: fail(429, '429000', 'Too Many Requests', headers), verified: true };
    }
    case 'server_error':
      return { response: fail(500, '500000', 'Internal Server Error'), verified: true };
    case 'bad_gateway':
      return { response: edgePage(502, 'Bad Gateway'), verified: true };
    case 'unavailable':
      return { response: edgePage(503, 'Service Temporarily Unavailable'), verified: true };
    case 'gateway_timeout':
      return { response: edgePage(504, 'Gateway Time-out'), verified: true };
    default:
      return { response: fail(500, '500000', `simulator: unexpected fault ${fault.kind}`), verified: true };
  }
}

/** 502/503/504 come from KuCoin's edge as HTML, not as the JSON envelope. */
function edgePage(status: number, title: string): SimResponse {
  return { status, body: `<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>` };
}

// ---- account data -------------------------------------------------------------------------------

const D = Decimal.clone({ precision: 60, toExpNeg: -40, toExpPos: 60 });

/** KuCoin account ids are 24 hex characters; stable per key, wallet and currency. */
function accountId(apiKey: string, type: string, currency: string): string {
  return createHash('sha256').update(`${apiKey}:${type}:${currency}`).digest('hex').slice(0, 24);
}

/** GET /api/v1/accounts rows; without `type`, every wallet of the account. */
function accountRows(account: SimAccount, type: string | null) {
  const types = type ? [type] : Object.keys(account.wallets);
  return types.flatMap((walletType) =>
    Object.entries(account.wallets[walletType] ?? {}).map(([currency, { free, used }]) => ({
      id: accountId(account.apiKey, walletType, currency),
      currency,
      type: walletType,
      balance: new D(free).plus(used).toFixed(),
      available: new D(free).toFixed(),
      holds: new D(used).toFixed(),
    })),
  );
}

/** "General,Spot,Transfer": KuCoin's "Transfer" covers withdrawals; "InnerTransfer" only moves funds between own accounts. */
function permissionList(account: SimAccount): string {
  const { read, trade, withdraw, transfer } = account.permissions;
  const names = [
    read && 'General',
    trade && 'Spot',
    withdraw && 'Transfer',
    transfer && !withdraw && 'InnerTransfer',
  ].filter((name): name is string => Boolean(name));
  return names.join(',');
}

function apiKeyInfo(account: SimAccount) {
  return {
    remark: 'coinsphere',
    apiKey: account.apiKey,
    apiVersion: 3,
    permission: permissionList(account),
    ipWhitelist: account.permissions.ipRestricted ? '127.0.0.1' : '',
    createdAt: 1_700_000_000_000,
    uid: 165_111_215,
    isMaster: true,
  };
}

type PrivateRoute = (req: SimRequest, account: SimAccount) => SimResponse;

const PRIVATE_ROUTES: Record<string, PrivateRoute> = {
  '/api/v1/accounts': (req, account) => ok(accountRows(account, req.query.get('type'))),
  '/api/v1/hf/accounts/opened': (_req, account) => ok(Boolean(account.highFrequency)),
  '/api/v1/user/api-key': (_req, account) => ok(apiKeyInfo(account)),
  '/api/v1/accounts/ledgers': classicLedger,
  '/api/v1/hf/accounts/ledgers': hfLedger,
  '/api/ua/v1/account/mode': () => ok({ selfAccountMode: 'CLASSIC' }),
  // ccxt's fetchMarkets asks for margin symbols when keys are set; none are simulated.
  '/api/v3/margin/symbols': (req) => ok({ timestamp: req.now, items: [] }),
  '/api/v1/isolated/symbols': () => ok([]),
};

// ---- public market data -------------------------------------------------------------------------

const STANDARD_CURRENCIES = ['BTC', 'ETH', 'USDT', 'USDC', 'KCS'];

function currencyIds(ctx: SimContext): string[] {
  const ids = new Set(STANDARD_CURRENCIES);
  for (const account of ctx.accounts.values()) {
    if (account.exchange !== 'kucoin') continue;
    for (const wallet of Object.values(account.wallets)) for (const id of Object.keys(wallet)) ids.add(id);
  }
  for (const symbol of Object.keys(ctx.tickers.kucoin)) for (const id of symbol.split('/')) ids.add(id);
  return [...ids].sort();
}

function currency(id: string) {
  return {
    currency: id,
    name: id,
    fullName: id,
    precision: 8,
    confirms: null,
    contractAddress: null,
    isMarginEnabled: false,
    isDebitEnabled: false,
    chains: [
      {
        chainName: id,
        chainId: id.toLowerCase(),
        withdrawalMinSize: '0.0001',
        depositMinSize: '0.0001',
        withdrawFeeRate: '0',
        withdrawalMinFee: '0.0001',
        isWithdrawEnabled: true,
        isDepositEnabled: true,
        confirms: 12,
        preConfirms: 6,
        contractAddress: '',
        withdrawPrecision: 8,
        maxWithdraw: null,
        maxDeposit: null,
        needTag: false,
      },
    ],
  };
}

/** "BTC/USDT" → ["BTC-USDT", "BTC", "USDT", price] for every configured ticker. */
function pairs(ctx: SimContext): Array<{ id: string; base: string; quote: string; price: string }> {
  return Object.entries(ctx.tickers.kucoin).map(([symbol, price]) => {
    const [base = '', quote = ''] = symbol.split('/');
    return { id: `${base}-${quote}`, base, quote, price };
  });
}

function symbolInfo({ id, base, quote }: { id: string; base: string; quote: string }) {
  return {
    symbol: id,
    name: id,
    baseCurrency: base,
    quoteCurrency: quote,
    feeCurrency: quote,
    market: quote === 'USDT' ? 'USDS' : quote,
    baseMinSize: '0.00001',
    quoteMinSize: '0.1',
    baseMaxSize: '10000000000',
    quoteMaxSize: '99999999',
    baseIncrement: '0.00000001',
    quoteIncrement: '0.000001',
    priceIncrement: '0.000001',
    priceLimitRate: '0.1',
    minFunds: '0.1',
    isMarginEnabled: false,
    enableTrading: true,
  };
}

function tickerInfo({ id, price }: { id: string; price: string }, now: number) {
  return {
    time: now,
    symbol: id,
    symbolName: id,
    buy: price,
    sell: price,
    bestBidSize: '1',
    bestAskSize: '1',
    changeRate: '0',
    changePrice: '0',
    high: price,
    low: price,
    vol: '0',
    volValue: '0',
    last: price,
    averagePrice: price,
    takerFeeRate: '0.001',
    makerFeeRate: '0.001',
    takerCoefficient: '1',
    makerCoefficient: '1',
  };
}

function publicRoute(req: SimRequest, ctx: SimContext): SimResponse {
  if (req.method !== 'GET') return ERRORS.notFound();
  if (req.host === FUTURES_HOST) {
    // No futures contracts are simulated; ccxt accepts the empty list.
    return req.path === '/api/v1/contracts/active' ? ok([]) : ERRORS.notFound();
  }
  switch (req.path) {
    case '/api/v3/currencies':
      return ok(currencyIds(ctx).map(currency));
    case '/api/v2/symbols':
      return ok(pairs(ctx).map(symbolInfo));
    case '/api/v1/market/allTickers':
      return ok({ time: req.now, ticker: pairs(ctx).map((pair) => tickerInfo(pair, req.now)) });
    case '/api/v1/market/stats': {
      const pair = pairs(ctx).find((p) => p.id === req.query.get('symbol'));
      return pair
        ? ok(tickerInfo(pair, req.now))
        : fail(400, '900001', `Symbol [${req.query.get('symbol')}] Not Exists`);
    }
    case '/api/v1/timestamp':
      return ok(req.now);
    case '/api/v1/status':
      return ok({ status: 'open', msg: '' });
    default:
      return ERRORS.notFound();
  }
}

/** KuCoin spot and futures REST, as far as Coinsphere's balance sync and key probe use them. */
export const kucoin: SimExchange = {
  id: 'kucoin',
  hosts: [SPOT_HOST, FUTURES_HOST],

  claimedKey: (req) => header(req, 'KC-API-KEY') ?? null,

  handle(req, ctx, fault) {
    const route = req.host === SPOT_HOST && req.method === 'GET' ? PRIVATE_ROUTES[req.path] : undefined;
    if (!route) return { response: publicRoute(req, ctx), verified: null };
    const auth = authenticate(req, ctx);
    if ('refusal' in auth) return { response: auth.refusal, verified: false };
    if (fault) return faultResponse(fault);
    // Every endpoint used here needs the "General" permission.
    if (!auth.account.permissions.read) return { response: ERRORS.noPermission(), verified: false };
    return { response: route(req, auth.account), verified: true };
  },
};
