import { createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Fault, SimAccount, SimContext, SimExchange, SimRequest, SimResponse } from '../types';
import { accountUuid, currencyOf, errorBody, FIAT, fakeUuid, walletKeysOf } from './coinbase-common';
import { historyRoute } from './coinbase-history';

/**
 * Coinbase Advanced Trade (api.coinbase.com) for CDP API keys: the public v2 currency/rate
 * endpoints and v3 product list ccxt's loadMarkets reads, and the signed v3 accounts and
 * key_permissions endpoints. Every request's `Authorization: Bearer <JWT>` is verified with
 * node:crypto against the public key derived from the account's private key: ES256 for
 * `organizations/{org}/apiKeys/{id}` keys (SEC1 PEM), EdDSA for Ed25519 keys (base64 seed ‖ public key).
 *
 * Seeding: `wallets.spot` maps currency codes to balances, one Advanced Trade account each. A key may
 * carry a `#label` suffix (`BTC#vault`) to seed a second account in the same currency, as Coinbase
 * lists several accounts per currency for some users.
 */

const HOST = 'api.coinbase.com';
const MAX_PAGE_LIMIT = 250;
const DEFAULT_PAGE_LIMIT = 49;
/** Coinbase rejects CDP tokens that live longer than two minutes. */
const MAX_TOKEN_LIFETIME_SECONDS = 120;
const NAMES: Record<string, string> = {
  USD: 'US Dollar',
  EUR: 'Euro',
  GBP: 'British Pound',
  BTC: 'Bitcoin',
  ETH: 'Ethereum',
  SOL: 'Solana',
  USDC: 'USDC',
  USDT: 'Tether',
  ADA: 'Cardano',
  DOGE: 'Dogecoin',
};
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed, so node:crypto can derive the public key from it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

type Json = Record<string, unknown>;

const unauthorized = (message: string) => errorBody(401, 'unauthorized', message);

// The expired-token answer: ccxt maps the id to AuthenticationError; its message names the timestamp.
const timestampExpired = (): SimResponse => ({
  status: 401,
  body: { errors: [{ id: 'authentication_error', message: 'request timestamp expired' }] },
});

const permissionDenied = () => errorBody(403, 'PERMISSION_DENIED', 'Missing required scopes');

// Coinbase's load balancers answer 5xx in plain text, not in the API's JSON error format.
function plainText(status: number, text: string): SimResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

function faultResponse(fault: Fault): SimResponse | null {
  switch (fault.kind) {
    case 'auth':
      return unauthorized('invalid api key');
    case 'forbidden':
      return permissionDenied();
    case 'rate_limit':
    case 'ban': // Coinbase has no IP bans; a long rate limit is its closest answer.
      return errorBody(429, 'rate_limit_exceeded', 'Too many requests', {
        'Retry-After': String(fault.retryAfterSeconds ?? (fault.kind === 'ban' ? 600 : 1)),
      });
    case 'server_error':
      return plainText(500, 'Internal Server Error');
    case 'bad_gateway':
      return plainText(502, 'Bad Gateway');
    case 'unavailable':
      return plainText(503, 'Service Unavailable');
    case 'gateway_timeout':
      return plainText(504, 'Gateway Timeout');
    case 'nonce': // Coinbase has no nonce; a stale token is its only replay/clock error.
    case 'clock_skew':
      return timestampExpired();
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// JWT parsing and verification.

interface Jwt {
  header: Json;
  claims: Json;
  signingInput: string;
  signature: Buffer;
}

function decodeSegment(segment: string): Json | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

function parseJwt(req: SimRequest): Jwt | null {
  const authorization = req.headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization) : null;
  if (!match) return null;
  const [, headerPart = '', claimsPart = '', signaturePart = ''] = match;
  const header = decodeSegment(headerPart);
  const claims = decodeSegment(claimsPart);
  if (!header || !claims) return null;
  return {
    header,
    claims,
    signingInput: `${headerPart}.${claimsPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  };
}

const publicKeys = new Map<string, KeyObject | null>();

/** The public key Coinbase holds for this private key: EC P-256 from a PEM, Ed25519 from the seed. */
function publicKeyOf(secret: string): KeyObject | null {
  if (publicKeys.has(secret)) return publicKeys.get(secret) ?? null;
  let key: KeyObject | null = null;
  try {
    if (secret.includes('PRIVATE KEY')) {
      key = createPublicKey(createPrivateKey(secret));
    } else {
      const raw = Buffer.from(secret, 'base64');
      if (raw.length === 64) {
        const der = Buffer.concat([ED25519_PKCS8_PREFIX, raw.subarray(0, 32)]);
        key = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      }
    }
  } catch {
    key = null;
  }
  publicKeys.set(secret, key);
  return key;
}

const includes = (list: unknown, value: string) => Array.isArray(list) && list.includes(value);

type Authenticated = { account: SimAccount } | { refusal: SimResponse };

function authenticate(req: SimRequest, ctx: SimContext): Authenticated {
  const jwt = parseJwt(req);
  if (!jwt) return { refusal: unauthorized('missing or malformed bearer token') };
  const { header, claims } = jwt;
  const account = typeof header.kid === 'string' ? ctx.accounts.get(header.kid) : undefined;
  if (!account || account.exchange !== 'coinbase' || claims.sub !== header.kid) {
    return { refusal: unauthorized('unknown api key') };
  }
  const key = publicKeyOf(account.secret);
  const eddsa = header.alg === 'EdDSA';
  const expectedKeyType = eddsa ? 'ed25519' : header.alg === 'ES256' ? 'ec' : null;
  if (!key || key.asymmetricKeyType !== expectedKeyType || typeof header.nonce !== 'string') {
    return { refusal: unauthorized('unsupported token algorithm for this key') };
  }
  const data = Buffer.from(jwt.signingInput);
  const valid = eddsa
    ? verify(null, data, key, jwt.signature)
    : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
  if (!valid) return { refusal: unauthorized('invalid signature') };

  const [issuer, audience] = eddsa ? ['cdp', 'cdp_service'] : ['coinbase-cloud', 'retail_rest_api_proxy'];
  if (claims.iss !== issuer || !includes(claims.aud, audience)) {
    return { refusal: unauthorized('invalid token issuer or audience') };
  }
  // The signed uri is method, host and path: no scheme, no query.
  const uri = `${req.method} ${req.host}${req.path}`;
  if (eddsa ? !includes(claims.uris, uri) : claims.uri !== uri) {
    return { refusal: unauthorized('token uri does not match the request') };
  }
  const now = Math.floor(req.now / 1000);
  const { nbf, exp } = claims;
  if (typeof nbf !== 'number' || typeof exp !== 'number') return { refusal: unauthorized('missing token lifetime') };
  if (nbf > now || exp <= now || exp - nbf > MAX_TOKEN_LIFETIME_SECONDS) return { refusal: timestampExpired() };
  return { account };
}

// ---------------------------------------------------------------------------------------------
// Data: currencies and products for the public endpoints, accounts for the signed ones.

/** Every currency the simulator knows on Coinbase: seeded balances and ticker symbols. */
function knownCurrencies(ctx: SimContext): string[] {
  const codes = new Set<string>(['USD']);
  for (const account of ctx.accounts.values()) {
    if (account.exchange !== 'coinbase') continue;
    for (const key of Object.keys(account.wallets.spot ?? {})) codes.add(currencyOf(key));
  }
  for (const symbol of Object.keys(ctx.tickers.coinbase)) for (const code of symbol.split('/')) codes.add(code);
  return [...codes].sort();
}

function fiatCurrencies(ctx: SimContext): SimResponse {
  const data = knownCurrencies(ctx)
    .filter((code) => FIAT.has(code))
    .map((code) => ({ id: code, name: NAMES[code] ?? code, min_size: '0.01' }));
  return { status: 200, body: { data } };
}

function cryptoCurrencies(ctx: SimContext): SimResponse {
  const data = knownCurrencies(ctx)
    .filter((code) => !FIAT.has(code))
    .map((code, index) => ({
      asset_id: fakeUuid(`asset:${code}`),
      code,
      name: NAMES[code] ?? code,
      color: '#0052FF',
      sort_index: index,
      exponent: 8,
      type: 'crypto',
      address_regex: '^.+$',
    }));
  return { status: 200, body: { data } };
}

/** Units of each currency per one unit of `currency`, where a ticker gives the rate. */
function exchangeRates(req: SimRequest, ctx: SimContext): SimResponse {
  const base = (req.query.get('currency') ?? 'USD').toUpperCase();
  const rates: Record<string, string> = { [base]: '1' };
  for (const [symbol, price] of Object.entries(ctx.tickers.coinbase)) {
    const [asset, quote] = symbol.split('/');
    if (asset && quote === base && Number(price) > 0) rates[asset] = String(1 / Number(price));
    if (asset === base && quote) rates[quote] = price;
  }
  return { status: 200, body: { data: { currency: base, rates } } };
}

function product(symbol: string, price: string) {
  const [base = '', quote = ''] = symbol.split('/');
  return {
    product_id: `${base}-${quote}`,
    price,
    price_percentage_change_24h: '0',
    volume_24h: '0',
    volume_percentage_change_24h: '0',
    base_increment: '0.00000001',
    quote_increment: '0.01',
    quote_min_size: '1',
    quote_max_size: '150000000',
    base_min_size: '0.00000001',
    base_max_size: '3400',
    base_name: NAMES[base] ?? base,
    quote_name: NAMES[quote] ?? quote,
    watched: false,
    is_disabled: false,
    new: false,
    status: 'online',
    cancel_only: false,
    limit_only: false,
    post_only: false,
    trading_disabled: false,
    auction_mode: false,
    product_type: 'SPOT',
    quote_currency_id: quote,
    base_currency_id: base,
    fcm_trading_session_details: null,
    mid_market_price: '',
    alias: '',
    alias_to: [],
    base_display_symbol: base,
    quote_display_symbol: quote,
    view_only: false,
    price_increment: '0.01',
    display_name: `${base}-${quote}`,
    product_venue: 'CBE',
  };
}

/** The public product list, which is also what ccxt's fetchTickers reads prices from. */
function products(req: SimRequest, ctx: SimContext): SimResponse {
  // Only spot products are simulated: the FUTURE/PERPETUAL lists come back empty, as for a
  // user outside the derivatives regions.
  const type = req.query.get('product_type') ?? 'SPOT';
  const wanted = req.query.getAll('product_ids');
  const list =
    type === 'SPOT'
      ? Object.entries(ctx.tickers.coinbase)
          .map(([symbol, price]) => product(symbol, price))
          .filter((p) => wanted.length === 0 || wanted.includes(p.product_id))
      : [];
  return { status: 200, body: { products: list, num_products: list.length } };
}

function accountEntries(account: SimAccount) {
  const zero = { free: '0', used: '0' };
  return walletKeysOf(account).map((walletKey) => {
    const balance = account.wallets.spot?.[walletKey] ?? zero;
    const currency = currencyOf(walletKey);
    const label = walletKey.includes('#') ? walletKey.slice(walletKey.indexOf('#') + 1) : 'Wallet';
    return {
      uuid: accountUuid(account, walletKey),
      name: `${currency} ${label}`,
      currency,
      available_balance: { value: balance.free, currency },
      default: !walletKey.includes('#'),
      active: true,
      created_at: '2024-01-04T06:20:06.456Z',
      updated_at: '2024-01-04T06:20:07.181Z',
      deleted_at: null,
      type: FIAT.has(currency) ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO',
      ready: true,
      hold: { value: balance.used, currency },
      retail_portfolio_id: fakeUuid(`portfolio:${account.apiKey}`),
    };
  });
}

/** One page of accounts; the cursor is the uuid of the last account on the previous page. */
function accounts(req: SimRequest, ctx: SimContext, account: SimAccount): SimResponse {
  if (!account.permissions.read) return permissionDenied();
  const limit = Number(req.query.get('limit') ?? DEFAULT_PAGE_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    return errorBody(400, 'INVALID_ARGUMENT', 'limit must be between 1 and 250');
  }
  const all = accountEntries(account);
  const cursor = req.query.get('cursor');
  const start = cursor ? all.findIndex((entry) => entry.uuid === cursor) + 1 : 0;
  if (cursor && start === 0) return errorBody(400, 'INVALID_ARGUMENT', 'invalid cursor');
  const page = all.slice(start, start + Math.min(limit, ctx.coinbasePageSize));
  const hasNext = start + page.length < all.length;
  return {
    status: 200,
    body: { accounts: page, has_next: hasNext, cursor: hasNext ? (page.at(-1)?.uuid ?? '') : '', size: page.length },
  };
}

function keyPermissions(account: SimAccount): SimResponse {
  return {
    status: 200,
    body: {
      can_view: account.permissions.read,
      can_trade: account.permissions.trade,
      // Coinbase has one transfer scope, and it covers withdrawals.
      can_transfer: account.permissions.transfer || account.permissions.withdraw,
      portfolio_uuid: fakeUuid(`portfolio:${account.apiKey}`),
      portfolio_type: 'DEFAULT',
    },
  };
}

const transactionSummary = (): SimResponse => ({
  status: 200,
  body: {
    total_volume: 0,
    total_fees: 0,
    fee_tier: {
      pricing_tier: 'Advanced 1',
      usd_from: '0',
      usd_to: '1000',
      taker_fee_rate: '0.012',
      maker_fee_rate: '0.006',
    },
    margin_rate: null,
    goods_and_services_tax: null,
    advanced_trade_only_volume: 0,
    advanced_trade_only_fees: 0,
    coinbase_pro_volume: 0,
    coinbase_pro_fees: 0,
  },
});

const time = (req: SimRequest): SimResponse => ({
  status: 200,
  body: {
    iso: new Date(req.now).toISOString(),
    epochSeconds: String(Math.floor(req.now / 1000)),
    epochMillis: String(req.now),
  },
});

type PublicRoute = (req: SimRequest, ctx: SimContext) => SimResponse;
type PrivateRoute = (req: SimRequest, ctx: SimContext, account: SimAccount) => SimResponse;

const publicRoutes: Record<string, PublicRoute> = {
  '/v2/currencies': (_req, ctx) => fiatCurrencies(ctx),
  '/v2/currencies/crypto': (_req, ctx) => cryptoCurrencies(ctx),
  '/v2/exchange-rates': exchangeRates,
  '/v2/time': (req) => ({
    status: 200,
    body: { data: { iso: new Date(req.now).toISOString(), epoch: Math.floor(req.now / 1000) } },
  }),
  '/api/v3/brokerage/market/products': products,
  '/api/v3/brokerage/time': time,
};

const privateRoutes: Record<string, PrivateRoute> = {
  '/api/v3/brokerage/accounts': accounts,
  '/api/v3/brokerage/key_permissions': (_req, _ctx, account) => keyPermissions(account),
  '/api/v3/brokerage/transaction_summary': () => transactionSummary(),
};

const notFound = (): SimResponse => plainText(404, '404 page not found\n');

export const coinbase: SimExchange = {
  id: 'coinbase',
  hosts: [HOST],

  claimedKey(req) {
    const jwt = parseJwt(req);
    const kid = jwt?.header.kid ?? jwt?.claims.sub;
    if (typeof kid === 'string') return kid;
    const legacyKey = req.headers['cb-access-key'];
    return typeof legacyKey === 'string' ? legacyKey : null;
  },

  handle(req, ctx, fault) {
    const publicRoute = req.method === 'GET' ? publicRoutes[req.path] : undefined;
    if (publicRoute) return { response: publicRoute(req, ctx), verified: null };
    const privateRoute = req.method === 'GET' ? (privateRoutes[req.path] ?? historyRoute(req.path)) : undefined;
    if (!privateRoute) return { response: notFound(), verified: null };

    const faulted = fault ? faultResponse(fault) : null;
    if (faulted) return { response: faulted, verified: false };
    const auth = authenticate(req, ctx);
    if ('refusal' in auth) return { response: auth.refusal, verified: false };
    return { response: privateRoute(req, ctx, auth.account), verified: true };
  },
};
