import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { simulatedExchanges } from './exchanges';
import type {
  Fault,
  LogEntry,
  SimAccount,
  SimContext,
  SimExchange,
  SimExchangeId,
  SimHistoryEvent,
  SimPermissions,
  SimRequest,
  SimResponse,
} from './types';

export const READ_ONLY: SimPermissions = {
  read: true,
  trade: false,
  withdraw: false,
  transfer: false,
  ipRestricted: false,
};

export type NewAccount = Pick<SimAccount, 'exchange' | 'apiKey' | 'secret'> &
  Partial<Omit<SimAccount, 'exchange' | 'apiKey' | 'secret'>>;

const byHost = new Map<string, SimExchange>();
const publicFaultKey = (exchange: SimExchangeId) => `public:${exchange}`;
const PUBLIC_FAULT_STATUS: Partial<Record<Fault['kind'], number>> = {
  rate_limit: 429,
  ban: 418,
  forbidden: 403,
  server_error: 500,
  bad_gateway: 502,
  unavailable: 503,
  gateway_timeout: 504,
};
for (const exchange of simulatedExchanges) for (const host of exchange.hosts) byHost.set(host, exchange);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: SimResponse) {
  const isText = typeof response.body === 'string';
  const payload = isText ? (response.body as string) : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': isText ? 'text/html; charset=utf-8' : 'application/json',
    ...response.headers,
  });
  res.end(payload);
}

/**
 * An exchange simulator: real REST formats for Binance, Coinbase, Kraken and KuCoin at
 * `/<exchange host>/<path>`, every signature verified with node:crypto, plus a control API under
 * `/_sim/` to create accounts, inject faults and read the request log.
 */
export class ExchangeSimulator {
  readonly ctx: SimContext = {
    accounts: new Map(),
    tickers: { binance: {}, coinbase: {}, kraken: {}, kucoin: {} },
    scratch: {},
    coinbasePageSize: 2,
  };
  private faults = new Map<string, Fault[]>();
  private entries: LogEntry[] = [];
  private server = createServer((req, res) => {
    this.route(req, res).catch((error: unknown) => {
      send(res, { status: 500, body: { simulatorError: error instanceof Error ? error.message : String(error) } });
    });
  });
  private sockets = new Set<Socket>();
  url = '';

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.url = `http://${host}:${address.port}`;
    return this.url;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  addAccount(account: NewAccount): SimAccount {
    const full: SimAccount = { wallets: {}, permissions: { ...READ_ONLY }, ...account };
    this.ctx.accounts.set(account.apiKey, full);
    return full;
  }

  setWallets(apiKey: string, wallets: SimAccount['wallets']) {
    const account = this.ctx.accounts.get(apiKey);
    if (!account) throw new Error(`no account ${apiKey}`);
    account.wallets = wallets;
  }

  /** Sets an exchange's last prices by unified symbol ("BTC/USD" → "64000.5"); other symbols lose theirs. */
  setTickers(exchange: SimExchangeId, prices: Record<string, string>) {
    this.ctx.tickers[exchange] = { ...prices };
  }

  /**
   * Makes the next `remaining` public (unsigned) requests to this exchange fail the given way: the
   * ticker endpoints' failures. Kinds other than delay/html/truncated answer the plain HTTP status
   * (429 with Retry-After, 500, 502, 503, 504), which ccxt maps the same way for every exchange.
   */
  addPublicFault(exchange: SimExchangeId, fault: Omit<Fault, 'remaining'> & { remaining?: number }) {
    this.addFault(publicFaultKey(exchange), fault);
  }

  /** Makes the next `remaining` requests of this key fail the given way. */
  addFault(apiKey: string, fault: Omit<Fault, 'remaining'> & { remaining?: number }) {
    const list = this.faults.get(apiKey) ?? [];
    list.push({ remaining: 1, ...fault });
    this.faults.set(apiKey, list);
  }

  log(filter: { apiKey?: string; exchange?: SimExchangeId } = {}): LogEntry[] {
    return this.entries.filter(
      (e) => (!filter.apiKey || e.apiKey === filter.apiKey) && (!filter.exchange || e.exchange === filter.exchange),
    );
  }

  clearLog() {
    this.entries = [];
  }

  reset() {
    this.ctx.accounts.clear();
    this.ctx.scratch = {};
    this.faults.clear();
    this.entries = [];
  }

  private takeFault(apiKey: string | null, path: string): Fault | undefined {
    if (!apiKey) return undefined;
    const fault = this.faults
      .get(apiKey)
      ?.find((f) => f.remaining > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)));
    if (fault) fault.remaining--;
    return fault;
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const body = await readBody(req);
    if (url.pathname.startsWith('/_sim/')) return send(res, this.control(req.method ?? 'GET', url, body));

    const [, host = '', ...rest] = url.pathname.split('/');
    const exchange = byHost.get(host);
    if (!exchange) return send(res, { status: 404, body: { simulatorError: `unknown exchange host ${host}` } });
    const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
    const simRequest: SimRequest = {
      host,
      method: req.method ?? 'GET',
      path: `/${rest.join('/')}`,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      body,
      now: Date.now(),
    };
    const apiKey = exchange.claimedKey(simRequest);
    const fault = this.takeFault(apiKey ?? publicFaultKey(exchange.id), simRequest.path);
    const record = (status: number, verified: boolean | null) =>
      this.entries.push({
        exchange: exchange.id,
        apiKey,
        method: simRequest.method,
        host,
        path: simRequest.path,
        verified,
        status,
        fault: fault?.kind,
        query: rawQuery,
        at: simRequest.now,
      });

    if (fault?.kind === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 60_000));
    }
    if (fault?.kind === 'html') {
      record(200, null);
      return send(res, { status: 200, body: '<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>' });
    }
    const passFault = fault && !['delay', 'html', 'truncated'].includes(fault.kind) ? fault : undefined;
    if (passFault && apiKey === null) {
      const status = PUBLIC_FAULT_STATUS[passFault.kind] ?? 500;
      record(status, null);
      const retryAfter = String(passFault.retryAfterSeconds ?? 30);
      return send(res, {
        status,
        headers: status === 429 || status === 418 ? { 'Retry-After': retryAfter } : undefined,
        body: { simulatorError: `public fault ${passFault.kind}` },
      });
    }
    const { response, verified } = exchange.handle(simRequest, this.ctx, passFault);
    record(response.status, verified);
    if (fault?.kind === 'truncated') {
      const full = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(full.slice(0, Math.max(1, Math.floor(full.length / 2))));
    }
    send(res, response);
  }

  private control(method: string, url: URL, body: string): SimResponse {
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // after "_sim"
    const json = () => (body ? (JSON.parse(body) as Record<string, unknown>) : {});
    try {
      if (method === 'POST' && parts[0] === 'accounts' && parts.length === 1) {
        const account = this.addAccount(json() as unknown as NewAccount);
        return { status: 201, body: { apiKey: account.apiKey } };
      }
      if (parts[0] === 'accounts' && parts[1]) {
        const apiKey = decodeURIComponent(parts[1]);
        if (!this.ctx.accounts.has(apiKey)) return { status: 404, body: { error: 'no such account' } };
        if (method === 'DELETE' && parts.length === 2) {
          this.ctx.accounts.delete(apiKey);
          return { status: 204, body: '' };
        }
        if (method === 'PUT' && parts[2] === 'wallets') {
          this.setWallets(apiKey, json() as SimAccount['wallets']);
          return { status: 200, body: { ok: true } };
        }
        if (method === 'PUT' && parts[2] === 'history') {
          this.ctx.accounts.get(apiKey)!.history = json() as unknown as SimHistoryEvent[];
          return { status: 200, body: { ok: true } };
        }
        if (method === 'PUT' && parts[2] === 'permissions') {
          this.ctx.accounts.get(apiKey)!.permissions = { ...READ_ONLY, ...(json() as Partial<SimPermissions>) };
          return { status: 200, body: { ok: true } };
        }
        if (method === 'POST' && parts[2] === 'faults') {
          this.addFault(apiKey, json() as unknown as Fault);
          return { status: 201, body: { ok: true } };
        }
      }
      if (method === 'GET' && parts[0] === 'log') {
        return {
          status: 200,
          body: this.log({
            apiKey: url.searchParams.get('apiKey') ?? undefined,
            exchange: (url.searchParams.get('exchange') as SimExchangeId | null) ?? undefined,
          }),
        };
      }
      if (method === 'DELETE' && parts[0] === 'log') {
        this.clearLog();
        return { status: 204, body: '' };
      }
      if (method === 'PUT' && parts[0] === 'tickers' && parts[1] && parts.length === 2) {
        this.setTickers(parts[1] as SimExchangeId, json() as Record<string, string>);
        return { status: 200, body: { ok: true } };
      }
      if (method === 'POST' && parts[0] === 'tickers' && parts[1] && parts[2] === 'faults') {
        this.addPublicFault(parts[1] as SimExchangeId, json() as unknown as Fault);
        return { status: 201, body: { ok: true } };
      }
      if (method === 'POST' && parts[0] === 'reset') {
        this.reset();
        return { status: 204, body: '' };
      }
      return { status: 404, body: { error: `unknown control route ${method} ${url.pathname}` } };
    } catch (error) {
      return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
    }
  }
}

export async function startSimulator(port = 0): Promise<ExchangeSimulator> {
  const simulator = new ExchangeSimulator();
  await simulator.listen(port);
  return simulator;
}
