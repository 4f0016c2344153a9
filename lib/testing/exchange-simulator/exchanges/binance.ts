import { createHash, createHmac, createPrivateKey, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { Fault, SimAccount, SimBalance, SimContext, SimExchange, SimRequest, SimResponse } from '../types';
import { convertTradeFlow, depositHistory, dustLog, myTrades, tradedPairs, withdrawHistory } from './binance-history';
import { meterRequest } from './binance-weight';

/**
 * Binance spot REST as ccxt uses it: public market data on api/fapi/dapi, and the signed account,
 * funding, Simple Earn and key-restriction endpoints. Every signed request is checked the way
 * Binance does: X-MBX-APIKEY names the key, `signature` (the last parameter) is HMAC-SHA256 of the
 * query string + body (Ed25519/RSA for keys registered as PEM), `timestamp` within `recvWindow`.
 */

const SPOT = 'api.binance.com';
const USDM = 'fapi.binance.com';
const COINM = 'dapi.binance.com';

/** Binance's own default when a signed request carries no recvWindow (ccxt sends 10000). */
const DEFAULT_RECV_WINDOW_MS = 5_000;
const MAX_RECV_WINDOW_MS = 60_000;
/** Binance refuses timestamps more than one second ahead of its clock. */
const AHEAD_TOLERANCE_MS = 1_000;

type Params = URLSearchParams;

function error(status: number, code: number, msg: string, headers?: Record<string, string>): SimResponse {
  return { status, body: { code, msg }, headers };
}

const refusals = {
  invalidKey: () => error(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  keyFormat: () => error(401, -2014, 'API-key format invalid.'),
  badSignature: () => error(400, -1022, 'Signature for this request is not valid.'),
  outsideWindow: () => error(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  ahead: () => error(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  mandatory: (name: string) =>
    error(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  badRecvWindow: () => error(400, -1131, 'recvWindow must be less than 60000'),
};

// ---------------------------------------------------------------------------------------------
// Amounts

function isZero(amount: string | undefined): boolean {
  return !amount || Number(amount) === 0;
}

/** Binance writes amounts with eight decimals ("0.40000000"); longer fractions are kept whole. */
function binanceAmount(amount: string | undefined): string {
  const [whole = '0', fraction = ''] = (amount ?? '0').split('.');
  return `${whole || '0'}.${fraction.padEnd(8, '0')}`;
}

function walletOf(account: SimAccount, name: string): [string, SimBalance][] {
  return Object.entries(account.wallets[name] ?? {});
}

// ---------------------------------------------------------------------------------------------
// Markets

const DEFAULT_PAIRS: [string, string][] = [
  ['BTC', 'USDT'],
  ['ETH', 'USDT'],
  ['BNB', 'USDT'],
  ['ETH', 'BTC'],
  ['BNB', 'BTC'],
];
const QUOTE = 'USDT';

/**
 * Spot pairs: the defaults, every seeded asset against USDT, every market a seeded history traded
 * on, and every symbol with a ticker.
 */
function spotPairs(ctx: SimContext): [string, string][] {
  const pairs = new Map<string, [string, string]>();
  const add = (base: string, quote: string) => pairs.set(base + quote, [base, quote]);
  for (const [base, quote] of DEFAULT_PAIRS) add(base, quote);
  for (const [base, quote] of tradedPairs(ctx)) add(base, quote);
  for (const account of ctx.accounts.values()) {
    if (account.exchange !== 'binance') continue;
    for (const wallet of Object.values(account.wallets)) {
      for (const asset of Object.keys(wallet)) if (asset !== QUOTE && !isEarnReceipt(asset)) add(asset, QUOTE);
    }
  }
  for (const symbol of Object.keys(ctx.tickers.binance)) {
    const [base, quote] = symbol.split('/');
    if (base && quote) add(base, quote);
  }
  return [...pairs.values()];
}

function symbolInfo(base: string, quote: string) {
  return {
    symbol: base + quote,
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.00000100', maxPrice: '1000000.00000000', tickSize: '0.00000100' },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000000.00000000', stepSize: '0.00001000' },
      { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000' },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

function exchangeInfo(ctx: SimContext, now: number) {
  return {
    timezone: 'UTC',
    serverTime: now,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: spotPairs(ctx).map(([base, quote]) => symbolInfo(base, quote)),
  };
}

/** Futures exchangeInfo: the simulator lists no derivatives, which ccxt accepts. */
function emptyFuturesInfo(now: number) {
  return { timezone: 'UTC', serverTime: now, rateLimits: [], exchangeFilters: [], assets: [], symbols: [] };
}

interface TickerRow {
  id: string;
  price: string;
}

function tickerRows(ctx: SimContext): TickerRow[] {
  return Object.entries(ctx.tickers.binance).map(([symbol, price]) => ({ id: symbol.replace('/', ''), price }));
}

/** `symbol=X` answers one object, `symbols=["X","Y"]` a filtered list, nothing the whole list. */
function selectTickers<T>(ctx: SimContext, params: Params, shape: (row: TickerRow) => T): SimResponse {
  const rows = tickerRows(ctx);
  const single = params.get('symbol');
  if (single !== null) {
    const row = rows.find((r) => r.id === single);
    return row ? { status: 200, body: shape(row) } : error(400, -1121, 'Invalid symbol.');
  }
  const list = params.get('symbols');
  if (list !== null) {
    let wanted: unknown;
    try {
      wanted = JSON.parse(list);
    } catch {
      return error(400, -1100, "Illegal characters found in parameter 'symbols'.");
    }
    if (!Array.isArray(wanted)) return refusals.mandatory('symbols');
    // Listed markets without a price set by the test are left out of the answer, as if not traded.
    const listed = new Set(spotPairs(ctx).map(([base, quote]) => base + quote));
    const missing = wanted.some((id) => typeof id !== 'string' || !listed.has(id));
    if (missing) return error(400, -1121, 'Invalid symbol.');
    return { status: 200, body: rows.filter((r) => wanted.includes(r.id)).map(shape) };
  }
  return { status: 200, body: rows.map(shape) };
}

function ticker24hr(now: number) {
  return ({ id, price }: TickerRow) => ({
    symbol: id,
    priceChange: '0.00000000',
    priceChangePercent: '0.000',
    weightedAvgPrice: price,
    prevClosePrice: price,
    lastPrice: price,
    lastQty: '0.00100000',
    bidPrice: price,
    bidQty: '1.00000000',
    askPrice: price,
    askQty: '1.00000000',
    openPrice: price,
    highPrice: price,
    lowPrice: price,
    volume: '1000.00000000',
    quoteVolume: '0',
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 1,
    lastId: 1000,
    count: 1000,
  });
}

// ---------------------------------------------------------------------------------------------
// Signed endpoints

/** Simple Earn flexible holdings also show in the spot account as "LD<asset>" receipts, as on Binance. */
const EARN_RECEIPT_PREFIX = 'LD';

function isEarnReceipt(asset: string): boolean {
  return asset.startsWith(EARN_RECEIPT_PREFIX) && asset.length > EARN_RECEIPT_PREFIX.length + 1;
}

function numericUid(apiKey: string): number {
  return createHash('sha256').update(apiKey).digest().readUInt32BE(0);
}

function spotAccount(account: SimAccount, params: Params, now: number) {
  const balances = new Map<string, { asset: string; free: string; locked: string }>();
  for (const [asset, balance] of walletOf(account, 'spot')) {
    balances.set(asset, { asset, free: binanceAmount(balance.free), locked: binanceAmount(balance.used) });
  }
  for (const [asset, balance] of walletOf(account, 'earn')) {
    const receipt = EARN_RECEIPT_PREFIX + asset;
    if (!isZero(balance.free) && !balances.has(receipt)) {
      balances.set(receipt, { asset: receipt, free: binanceAmount(balance.free), locked: '0.00000000' });
    }
  }
  // Binance lists every asset ever listed, mostly zero, unless omitZeroBalances=true.
  if (!balances.has('BNB')) balances.set('BNB', { asset: 'BNB', free: '0.00000000', locked: '0.00000000' });
  const omitZero = params.get('omitZeroBalances') === 'true';
  const rows = [...balances.values()].filter((b) => !omitZero || !isZero(b.free) || !isZero(b.locked));
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
    canTrade: account.permissions.trade,
    canWithdraw: account.permissions.withdraw,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances: rows,
    permissions: ['SPOT'],
    uid: numericUid(account.apiKey),
  };
}

function fundingAssets(account: SimAccount, params: Params) {
  const only = params.get('asset');
  return walletOf(account, 'funding')
    .filter(([asset, b]) => (!only || asset === only) && (!isZero(b.free) || !isZero(b.used)))
    .map(([asset, b]) => ({
      asset,
      free: binanceAmount(b.free),
      locked: binanceAmount(b.used),
      freeze: '0',
      withdrawing: '0',
      btcValuation: '0',
    }));
}

/** Simple Earn pages: `current` from 1, `size` up to 100 (default 10). */
function page<T>(rows: T[], params: Params) {
  const size = Math.min(100, Math.max(1, Number(params.get('size') ?? 10) || 10));
  const current = Math.max(1, Number(params.get('current') ?? 1) || 1);
  return { rows: rows.slice((current - 1) * size, current * size), total: rows.length };
}

function earnEntries(account: SimAccount, params: Params, part: 'free' | 'used') {
  const only = params.get('asset');
  return walletOf(account, 'earn').filter(([asset, b]) => (!only || asset === only) && !isZero(b[part]));
}

/** Flexible products hold what is redeemable at once: the earn wallet's `free`. */
function flexiblePositions(account: SimAccount, params: Params) {
  const rows = earnEntries(account, params, 'free').map(([asset, b]) => ({
    totalAmount: binanceAmount(b.free),
    tierAnnualPercentageRate: { '0-5BTC': 0.05, '5-10BTC': 0.03 },
    latestAnnualPercentageRate: '0.02599895',
    yesterdayAirdropPercentageRate: '0',
    asset,
    airDropAsset: asset,
    canRedeem: true,
    collateralAmount: '0',
    productId: `${asset}001`,
    yesterdayRealTimeRewards: '0',
    cumulativeBonusRewards: '0',
    cumulativeRealTimeRewards: '0',
    cumulativeTotalRewards: '0',
    autoSubscribe: true,
  }));
  return page(rows, params);
}

/** Locked products hold what cannot be redeemed before the term ends: the earn wallet's `used`. */
function lockedPositions(account: SimAccount, params: Params, now: number) {
  const rows = earnEntries(account, params, 'used').map(([asset, b], index) => ({
    positionId: 100_000 + index,
    parentPositionId: 99_000 + index,
    projectId: `${asset}*90`,
    asset,
    amount: binanceAmount(b.used),
    purchaseTime: String(now - 4 * 86_400_000),
    duration: '90',
    accrualDays: '4',
    rewardAsset: asset,
    APY: '0.05',
    rewardAmt: '0',
    nextPay: '0',
    nextPayDate: String(now + 86_400_000),
    payPeriod: '1',
    redeemAmountEarly: binanceAmount(b.used),
    rewardsEndDate: String(now + 86 * 86_400_000),
    deliverDate: String(now + 87 * 86_400_000),
    redeemPeriod: '1',
    redeemingAmt: '0',
    redeemTo: 'SPOT',
    canRedeemEarly: true,
    autoSubscribe: true,
    type: 'NORMAL',
    status: 'HOLDING',
    canReStake: false,
  }));
  return page(rows, params);
}

function apiRestrictions(account: SimAccount, now: number) {
  const p = account.permissions;
  return {
    ipRestrict: p.ipRestricted,
    createTime: now - 30 * 86_400_000,
    enableReading: p.read,
    enableWithdrawals: p.withdraw,
    enableInternalTransfer: p.transfer,
    enableMargin: false,
    enableFutures: false,
    permitsUniversalTransfer: p.transfer,
    enableVanillaOptions: false,
    enableFixApiTrade: false,
    enableFixReadOnly: p.read,
    enableSpotAndMarginTrading: p.trade,
    enablePortfolioMarginTrading: false,
  };
}

/** ccxt's fetchCurrencies with keys and the default options (the app turns it off). */
function coinsConfig(ctx: SimContext, account: SimAccount) {
  const assets = new Set<string>(spotPairs(ctx).flat());
  const spot = account.wallets.spot ?? {};
  return [...assets].map((coin) => ({
    coin,
    name: coin,
    depositAllEnable: true,
    withdrawAllEnable: true,
    free: binanceAmount(spot[coin]?.free),
    locked: binanceAmount(spot[coin]?.used),
    freeze: '0',
    withdrawing: '0',
    ipoing: '0',
    ipoable: '0',
    storage: '0',
    isLegalMoney: false,
    trading: true,
    networkList: [],
  }));
}

interface SignedRoute {
  /** Key-restriction reads work without the reading permission; everything else needs it. */
  needsRead: boolean;
  answer(account: SimAccount, params: Params, req: SimRequest, ctx: SimContext): SimResponse;
}

const ok = (body: unknown): SimResponse => ({ status: 200, body });

const signedRoutes: Record<string, SignedRoute> = {
  [`GET ${SPOT}/api/v3/account`]: {
    needsRead: true,
    answer: (account, params, req) => ok(spotAccount(account, params, req.now)),
  },
  [`POST ${SPOT}/sapi/v1/asset/get-funding-asset`]: {
    needsRead: true,
    answer: (account, params) => ok(fundingAssets(account, params)),
  },
  [`GET ${SPOT}/sapi/v1/simple-earn/flexible/position`]: {
    needsRead: true,
    answer: (account, params) => ok(flexiblePositions(account, params)),
  },
  [`GET ${SPOT}/sapi/v1/simple-earn/locked/position`]: {
    needsRead: true,
    answer: (account, params, req) => ok(lockedPositions(account, params, req.now)),
  },
  [`GET ${SPOT}/sapi/v1/account/apiRestrictions`]: {
    needsRead: false,
    answer: (account, _params, req) => ok(apiRestrictions(account, req.now)),
  },
  [`GET ${SPOT}/sapi/v1/capital/config/getall`]: {
    needsRead: true,
    answer: (account, _params, _req, ctx) => ok(coinsConfig(ctx, account)),
  },
  [`GET ${SPOT}/api/v3/myTrades`]: {
    needsRead: true,
    answer: (account, params, req, ctx) =>
      myTrades(account, params, req, (symbol) => spotPairs(ctx).some(([base, quote]) => base + quote === symbol)),
  },
  [`GET ${SPOT}/sapi/v1/capital/deposit/hisrec`]: {
    needsRead: true,
    answer: (account, params, req) => depositHistory(account, params, req),
  },
  [`GET ${SPOT}/sapi/v1/capital/withdraw/history`]: {
    needsRead: true,
    answer: (account, params, req) => withdrawHistory(account, params, req),
  },
  [`GET ${SPOT}/sapi/v1/convert/tradeFlow`]: {
    needsRead: true,
    answer: (account, params, req) => convertTradeFlow(account, params, req),
  },
  [`GET ${SPOT}/sapi/v1/asset/dribblet`]: { needsRead: true, answer: () => dustLog() },
  [`GET ${SPOT}/sapi/v1/margin/allPairs`]: { needsRead: true, answer: () => ok([]) },
  [`GET ${SPOT}/sapi/v1/margin/isolated/allPairs`]: { needsRead: true, answer: () => ok([]) },
};

type PublicRoute = (req: SimRequest, ctx: SimContext) => SimResponse;

const publicRoutes: Record<string, PublicRoute> = {
  [`GET ${SPOT}/api/v3/ping`]: () => ok({}),
  [`GET ${SPOT}/api/v3/time`]: (req) => ok({ serverTime: req.now }),
  [`GET ${SPOT}/api/v3/exchangeInfo`]: (req, ctx) => ok(exchangeInfo(ctx, req.now)),
  [`GET ${SPOT}/api/v3/ticker/price`]: (req, ctx) =>
    selectTickers(ctx, req.query, ({ id, price }) => ({ symbol: id, price })),
  [`GET ${SPOT}/api/v3/ticker/24hr`]: (req, ctx) => selectTickers(ctx, req.query, ticker24hr(req.now)),
  [`GET ${SPOT}/sapi/v1/system/status`]: () => ok({ status: 0, msg: 'normal' }),
  [`GET ${USDM}/fapi/v1/exchangeInfo`]: (req) => ok(emptyFuturesInfo(req.now)),
  [`GET ${COINM}/dapi/v1/exchangeInfo`]: (req) => ok(emptyFuturesInfo(req.now)),
};

// ---------------------------------------------------------------------------------------------
// Signature and timestamp checks

const SIGNATURE_LAST = /(^|&)signature=([^&]*)$/;

interface SignedPayload {
  /** What Binance signs: the query string followed by the body, without the signature parameter. */
  totalParams: string;
  signature: string;
  params: Params;
}

function splitSignature(req: SimRequest): SignedPayload | null {
  const inBody = SIGNATURE_LAST.exec(req.body);
  const inQuery = inBody ? null : SIGNATURE_LAST.exec(req.rawQuery);
  const match = inBody ?? inQuery;
  if (!match) return null;
  const strip = (text: string) => text.slice(0, match.index);
  const totalParams = inBody ? req.rawQuery + strip(req.body) : strip(req.rawQuery) + req.body;
  const params = new URLSearchParams(req.rawQuery);
  for (const [key, value] of new URLSearchParams(req.body)) params.append(key, value);
  return { totalParams, signature: decodeURIComponent(match[2] ?? ''), params };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** HMAC keys sign in hex; keys registered as a PEM private key sign with Ed25519 or RSA (base64). */
function signatureValid(secret: string, payload: SignedPayload): boolean {
  if (!secret.includes('PRIVATE KEY')) {
    const expected = createHmac('sha256', secret).update(payload.totalParams).digest('hex');
    return sameText(expected, payload.signature.toLowerCase());
  }
  try {
    const publicKey = createPublicKey(createPrivateKey(secret));
    const signature = Buffer.from(payload.signature, 'base64');
    const data = Buffer.from(payload.totalParams);
    return publicKey.asymmetricKeyType === 'ed25519'
      ? verify(null, data, publicKey, signature)
      : verify('sha256', data, publicKey, signature);
  } catch {
    return false;
  }
}

function timestampProblem(params: Params, now: number): SimResponse | null {
  const timestamp = Number(params.get('timestamp'));
  if (!params.get('timestamp') || !Number.isFinite(timestamp)) return refusals.mandatory('timestamp');
  const recvWindow = params.has('recvWindow') ? Number(params.get('recvWindow')) : DEFAULT_RECV_WINDOW_MS;
  if (!Number.isFinite(recvWindow) || recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW_MS) {
    return refusals.badRecvWindow();
  }
  if (timestamp > now + AHEAD_TOLERANCE_MS) return refusals.ahead();
  if (now - timestamp > recvWindow) return refusals.outsideWindow();
  return null;
}

type Authentication = { account: SimAccount; params: Params } | { refusal: SimResponse };

function authenticate(req: SimRequest, ctx: SimContext): Authentication {
  const apiKey = claimedKey(req);
  if (!apiKey) return { refusal: refusals.keyFormat() };
  const account = ctx.accounts.get(apiKey);
  if (!account || account.exchange !== 'binance') return { refusal: refusals.invalidKey() };
  const payload = splitSignature(req);
  if (!payload) return { refusal: refusals.mandatory('signature') };
  if (!signatureValid(account.secret, payload)) return { refusal: refusals.badSignature() };
  const late = timestampProblem(payload.params, req.now);
  if (late) return { refusal: late };
  return { account, params: payload.params };
}

// ---------------------------------------------------------------------------------------------
// Faults

const WAF_PAGE = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>403 ERROR</H1>
<H2>The request could not be satisfied.</H2>
<HR noshade size="1px">
Request blocked.
We can't connect to the server for this app or website at this time. There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront)
</PRE>
</BODY></HTML>`;

function gatewayPage(status: number, reason: string): SimResponse {
  return {
    status,
    body: `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`,
  };
}

const DEFAULT_RETRY_AFTER_SECONDS = 60;
const DEFAULT_BAN_SECONDS = 120;

function faultResponse(fault: Fault, now: number): SimResponse {
  switch (fault.kind) {
    case 'auth':
      return refusals.invalidKey();
    case 'forbidden':
      return { status: 403, body: WAF_PAGE };
    case 'rate_limit': {
      const seconds = fault.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      return error(
        429,
        -1003,
        'Too many requests; current limit of IP(127.0.0.1) request weight is 6000 per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
        { 'Retry-After': String(seconds) },
      );
    }
    case 'ban': {
      const seconds = fault.retryAfterSeconds ?? DEFAULT_BAN_SECONDS;
      return error(
        418,
        -1003,
        `Way too much request weight used; IP banned until ${now + seconds * 1000}. Please use WebSocket Streams for live updates to avoid bans.`,
        { 'Retry-After': String(seconds) },
      );
    }
    case 'server_error':
      return gatewayPage(500, 'Internal Server Error');
    case 'bad_gateway':
      return gatewayPage(502, 'Bad Gateway');
    // What Binance's API servers answer when a backend does not respond (ccxt issue #13767).
    case 'unavailable':
      return error(503, -1001, 'Internal error; unable to process your request. Please try again.');
    case 'gateway_timeout':
      return gatewayPage(504, 'Gateway Time-out');
    case 'nonce':
      return refusals.ahead();
    case 'clock_skew':
      return refusals.outsideWindow();
    default:
      return error(500, -1000, `An unknown error occurred while processing the request (fault ${fault.kind}).`);
  }
}

/** Faults that refuse the credentials count as a refused signature in the log. */
const REFUSING_FAULTS = new Set(['auth', 'nonce', 'clock_skew']);

// ---------------------------------------------------------------------------------------------

function claimedKey(req: SimRequest): string | null {
  const header = req.headers['x-mbx-apikey'];
  const value = Array.isArray(header) ? header[0] : header;
  return value ? value : null;
}

export const binance: SimExchange = {
  id: 'binance',
  hosts: [SPOT, USDM, COINM],
  claimedKey,
  handle(req, ctx, fault) {
    const { response, verified } = answer(req, ctx, fault);
    if (fault || req.host !== SPOT || !req.path.startsWith('/api/')) return { response, verified };
    // Request weight: counted on every /api request the exchange gets, refused or not.
    const metered = meterRequest(ctx, claimedKey(req) ?? 'public', req.path, req.query, req.now);
    if (metered.refusal) return { response: metered.refusal, verified };
    return { response: { ...response, headers: { ...response.headers, ...metered.headers } }, verified };
  },
};

function answer(req: SimRequest, ctx: SimContext, fault?: Fault): { response: SimResponse; verified: boolean | null } {
  const route = `${req.method} ${req.host}${req.path}`;
  const publicRoute = publicRoutes[route];
  if (publicRoute) {
    return { response: fault ? faultResponse(fault, req.now) : publicRoute(req, ctx), verified: null };
  }
  const signed = signedRoutes[route];
  if (!signed) {
    return { response: { status: 404, body: { simulatorError: `binance: no route ${route}` } }, verified: null };
  }
  const auth = authenticate(req, ctx);
  if (fault) {
    const verified = REFUSING_FAULTS.has(fault.kind) ? false : !('refusal' in auth);
    return { response: faultResponse(fault, req.now), verified };
  }
  if ('refusal' in auth) return { response: auth.refusal, verified: false };
  if (signed.needsRead && !auth.account.permissions.read) {
    return { response: refusals.invalidKey(), verified: false };
  }
  return { response: signed.answer(auth.account, auth.params, req, ctx), verified: true };
}
