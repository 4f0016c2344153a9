import ccxt from 'ccxt';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BALANCE_EXTRA_FIELDS,
  catalogCcxtVersion,
  credentialFieldsFor,
  exchangeCatalog,
  findExchange,
  VERIFIED_EXCHANGE_IDS,
} from './catalog';
import generated from './catalog.generated.json';

const REGENERATE = 'catalog.generated.json is stale: run `npx tsx lib/exchanges/catalog-generate.ts`';

interface CcxtFacts {
  id: string;
  name: string;
  requiredCredentials: string[];
  sandbox: boolean;
}

// Read independently of catalog-generate.ts, so a bug there cannot hide behind the same bug here.
const ccxtFacts: CcxtFacts[] = ccxt.exchanges
  .map((id) => new (ccxt as unknown as Record<string, new () => InstanceType<typeof ccxt.Exchange>>)[id]!())
  .filter((exchange) => exchange.has.fetchBalance)
  .map((exchange) => ({
    id: String(exchange.id),
    name: String(exchange.name),
    requiredCredentials: Object.keys(exchange.requiredCredentials).filter((name) => exchange.requiredCredentials[name]),
    sandbox: exchange.urls.test !== undefined,
  }))
  .sort((a, b) => (a.id < b.id ? -1 : 1));

function combinationCounts(rows: readonly { requiredCredentials: readonly string[] }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const key = [...row.requiredCredentials].sort().join('+') || '(none)';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function installedCcxtVersion(): string {
  const require = createRequire(import.meta.url);
  const packageJson = path.resolve(path.dirname(require.resolve('ccxt')), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

describe('generated catalog against the installed ccxt', () => {
  it('was generated from the installed ccxt version', () => {
    expect(catalogCcxtVersion, REGENERATE).toBe(installedCcxtVersion());
  });

  it('lists exactly the exchanges with fetchBalance, with their names, credentials and test networks', () => {
    expect(generated.exchanges, REGENERATE).toEqual(ccxtFacts);
  });

  it('has the credential combinations ccxt has', () => {
    expect(combinationCounts(generated.exchanges), REGENERATE).toEqual(combinationCounts(ccxtFacts));
  });

  it('has the combinations measured for ccxt 4.5.84 (update after a deliberate ccxt upgrade)', () => {
    expect(combinationCounts(generated.exchanges)).toEqual({
      'apiKey+secret': 72,
      'apiKey+password+secret': 12,
      privateKey: 4,
      'privateKey+walletAddress': 4,
      secret: 2,
      'apiKey+privateKey': 2,
      'accountId+apiKey+secret': 2,
      'apiKey+secret+uid': 1,
      'secret+uid': 1,
      'accountId+apiKey+privateKey': 1,
      'apiKey+login+password+secret+uid': 1,
      apiKey: 1,
      '(none)': 1,
    });
    expect(generated.exchanges).toHaveLength(104);
  });
});

describe('exchangeCatalog', () => {
  it('covers every exchange with fetchBalance once', () => {
    expect(exchangeCatalog.map((entry) => entry.id).sort()).toEqual(ccxtFacts.map((facts) => facts.id));
  });

  it('lists the verified tier first, then the rest alphabetically by display name', () => {
    expect(exchangeCatalog.slice(0, 4).map((entry) => entry.id)).toEqual(['binance', 'coinbase', 'kraken', 'kucoin']);
    expect(exchangeCatalog.filter((entry) => entry.verified).map((entry) => entry.id)).toEqual([
      ...VERIFIED_EXCHANGE_IDS,
    ]);
    const rest = exchangeCatalog.slice(4);
    expect(rest.every((entry) => !entry.verified)).toBe(true);
    const names = rest.map((entry) => entry.name.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('offers a sandbox exactly where ccxt has urls.test', () => {
    for (const facts of ccxtFacts) expect(findExchange(facts.id)?.sandbox, facts.id).toBe(facts.sandbox);
    expect(findExchange('binance')?.sandbox).toBe(true);
    expect(findExchange('coinbase')?.sandbox).toBe(false);
  });

  it("asks for ccxt's required credentials, plus the wallet address where fetchBalance needs one", () => {
    for (const facts of ccxtFacts) {
      const expected = new Set([...facts.requiredCredentials, ...(BALANCE_EXTRA_FIELDS[facts.id] ?? [])]);
      expect(new Set(findExchange(facts.id)?.credentialFields), facts.id).toEqual(expected);
    }
    expect(findExchange('dydx')?.credentialFields).toEqual(['walletAddress']);
    expect(findExchange('pacifica')?.credentialFields).toEqual(['walletAddress', 'privateKey']);
  });

  it('finds nothing for an unknown id', () => {
    expect(findExchange('mtgox')).toBeUndefined();
    expect(credentialFieldsFor('mtgox')).toEqual([]);
  });
});

describe('credentialFieldsFor', () => {
  it('labels every field of every exchange, distinctly within a form', () => {
    const seen = new Set<string>();
    for (const entry of exchangeCatalog) {
      const fields = credentialFieldsFor(entry.id);
      expect(fields.map((field) => field.name)).toEqual(entry.credentialFields);
      expect(fields.length, entry.id).toBeGreaterThan(0);
      for (const field of fields) {
        expect(field.label, `${entry.id}.${field.name}`).toMatch(/\S/);
        expect(field.help, `${entry.id}.${field.name}`).toMatch(/\S/);
      }
      expect(new Set(fields.map((field) => field.label)).size, entry.id).toBe(fields.length);
      seen.add(fields.map((field) => field.name).join('+'));
    }
    expect(seen.size).toBe(13);
  });

  it('uses the generic labels where no exchange wording is needed', () => {
    expect(credentialFieldsFor('ndax').find((field) => field.name === 'uid')?.label).toBe('User ID');
    expect(credentialFieldsFor('hibachi').map((field) => field.label)).toEqual([
      'API key',
      'Account ID',
      'Private key',
    ]);
    expect(credentialFieldsFor('hyperliquid').map((field) => field.label)).toEqual(['Wallet address', 'Private key']);
    expect(credentialFieldsFor('okx').map((field) => [field.label, field.secret])).toEqual([
      ['API key', false],
      ['API secret', true],
      ['Passphrase', true],
    ]);
  });

  it.each(['kucoin', 'kucoinfutures', 'okx', 'bitget', 'coinbaseexchange'])(
    'tells %s users the passphrase is the API key one',
    (id) => {
      const passphrase = credentialFieldsFor(id).find((field) => field.name === 'password');
      expect(passphrase?.label).toBe('Passphrase');
      expect(passphrase?.help).toMatch(
        /^the passphrase you set when creating this API key — not your trading password/i,
      );
    },
  );

  it('describes Coinbase CDP keys: the key name and a multiline EC private key', () => {
    const [apiKey, secret] = credentialFieldsFor('coinbase');
    expect(apiKey?.help).toContain('organizations/…/apiKeys/…');
    expect(secret).toMatchObject({ name: 'secret', secret: true, multiline: true });
    expect(secret?.help).toContain('-----BEGIN EC PRIVATE KEY-----');
  });

  it.each([
    ['binance', 'Enable Reading'],
    ['kraken', 'Query'],
    ['kucoin', 'General'],
    ['coinbase', 'View'],
  ])('tells %s users how to create a read-only key', (id, readPermission) => {
    const help = credentialFieldsFor(id).find((field) => field.name === 'apiKey')?.help ?? '';
    expect(help).toContain(readPermission);
    expect(help).toMatch(/withdraw|transfer/i);
  });
});

describe('client safety', () => {
  it.each(['catalog.ts', 'credential-input.ts'])('%s imports neither ccxt nor server-only', (file) => {
    const source = readFileSync(path.join(import.meta.dirname, file), 'utf8');
    expect(source).not.toMatch(/from '(ccxt|server-only|node:[a-z]+)'|import '(ccxt|server-only)'/);
  });
});
