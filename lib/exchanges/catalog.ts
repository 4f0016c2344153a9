import generated from './catalog.generated.json';

/**
 * Every exchange Coinsphere can read balances from, and what its connect form asks for. Safe on the
 * server and in the browser: the ccxt facts come from catalog.generated.json (regenerate with
 * `npx tsx lib/exchanges/catalog-generate.ts`), never from ccxt itself.
 */

/** Credential names as ccxt names them (`password` is the API passphrase), in the order the form shows them. */
export const CREDENTIAL_FIELD_NAMES = [
  'apiKey',
  'secret',
  'password',
  'uid',
  'login',
  'accountId',
  'walletAddress',
  'privateKey',
] as const;

export type CredentialFieldName = (typeof CREDENTIAL_FIELD_NAMES)[number];

export interface CredentialField {
  name: CredentialFieldName;
  label: string;
  help: string;
  /** Mask the input and never echo the value back. */
  secret: boolean;
  /** A PEM key: the input must keep line breaks. */
  multiline?: boolean;
  /**
   * Usually a one-line secret, but the exchange also takes a PEM private key (Binance's Ed25519 or RSA
   * keys): a one-line input, and a multi-line one behind "I use an Ed25519 or RSA key".
   */
  pemOptional?: boolean;
}

export interface ExchangeCatalogEntry {
  id: string;
  /** ccxt's display name. */
  name: string;
  /** What the connect form asks for, in form order. */
  credentialFields: readonly CredentialFieldName[];
  /** ccxt knows a test network for this exchange, so a sandbox connection can be offered. */
  sandbox: boolean;
  /** Tested end to end against our simulator. */
  verified: boolean;
}

/** The exchanges our simulator covers; everything else is offered as "not yet verified". */
export const VERIFIED_EXCHANGE_IDS: readonly string[] = ['binance', 'coinbase', 'kraken', 'kucoin'];

/**
 * Exchanges whose fetchBalance needs a field ccxt's `requiredCredentials` does not list: they read the
 * balance of a public address (`walletAddress`) and throw ArgumentsRequired without it. dYdX lists no
 * credential at all, which would leave an empty connect form.
 */
export const BALANCE_EXTRA_FIELDS: Readonly<Record<string, readonly CredentialFieldName[]>> = {
  dydx: ['walletAddress'],
  pacifica: ['walletAddress'],
};

type FieldText = Omit<CredentialField, 'name'>;

const READ_ONLY_KEY = 'Create a read-only key: allow viewing balances only, never trading or withdrawals.';
const API_PASSPHRASE = 'The passphrase you set when creating this API key — not your trading password.';

const GENERIC_FIELDS: Record<CredentialFieldName, FieldText> = {
  apiKey: { label: 'API key', help: `From the exchange's API settings. ${READ_ONLY_KEY}`, secret: false },
  secret: { label: 'API secret', help: 'Shown once, when you create the API key.', secret: true },
  password: { label: 'Passphrase', help: API_PASSPHRASE, secret: true },
  uid: { label: 'User ID', help: 'Your user or client ID, shown next to your API keys.', secret: false },
  login: { label: 'Login', help: 'The username or email you sign in with.', secret: false },
  accountId: { label: 'Account ID', help: 'The account ID shown with your API key.', secret: false },
  walletAddress: {
    label: 'Wallet address',
    help: 'The public address of the wallet or account whose balances you want to see.',
    secret: false,
  },
  privateKey: {
    label: 'Private key',
    help: "The key that signs this exchange's API requests. Use an API (agent) key where the exchange offers one, never your main wallet's key.",
    secret: true,
  },
};

/**
 * Wording that prevents the mistakes users actually make on these exchanges. Labels of the verified
 * exchanges stay generic ("API key", "API secret", "Passphrase") so every form reads the same and
 * people and tests find the fields by one name; the help text gives the exchange's own word.
 */
const FIELD_OVERRIDES: Readonly<Record<string, Partial<Record<CredentialFieldName, Partial<FieldText>>>>> = {
  binance: {
    apiKey: {
      help: 'Create it under Account → API Management with only "Enable Reading" ticked — leave spot trading, withdrawals and transfers off.',
    },
    secret: {
      help: 'Binance calls it the Secret key; it is shown once, when you create the key. For a self-generated Ed25519 or RSA key, paste your private key (-----BEGIN PRIVATE KEY-----) instead.',
      pemOptional: true,
    },
  },
  coinbase: {
    apiKey: {
      help: 'The API key name from your Coinbase Developer Platform (CDP) key file: its "name", shaped like organizations/…/apiKeys/…. For an Ed25519 key, its key ID. Create the key with the View permission only — never Trade or Transfer.',
    },
    secret: {
      help: 'The private key ("privateKey") from the same file: an EC private key starting with -----BEGIN EC PRIVATE KEY-----, pasted whole (the \\n sequences from the file are fine), or the 88-character secret of an Ed25519 key.',
      multiline: true,
    },
  },
  kraken: {
    apiKey: {
      help: 'Create it in Kraken\'s API settings with only the Funds "Query" permission — leave Deposit, Withdraw and every order permission off.',
    },
    secret: { help: 'Kraken calls it the Private key: shown once, next to the new API key.' },
  },
  kucoin: {
    apiKey: {
      help: 'Create it under API Management with only the "General" (read) permission — leave trading, transfer and withdrawal unticked.',
    },
  },
  ndax: {
    login: { label: 'Email', help: 'The email address you sign in to NDAX with.' },
    password: {
      label: 'Account password',
      help: 'Your NDAX sign-in password: NDAX has no separate API passphrase.',
    },
  },
};

interface GeneratedExchange {
  id: string;
  name: string;
  requiredCredentials: string[];
  sandbox: boolean;
}

function isCredentialFieldName(name: string): name is CredentialFieldName {
  return (CREDENTIAL_FIELD_NAMES as readonly string[]).includes(name);
}

function formFields(exchange: GeneratedExchange): CredentialFieldName[] {
  const wanted = new Set([...exchange.requiredCredentials, ...(BALANCE_EXTRA_FIELDS[exchange.id] ?? [])]);
  for (const name of wanted) {
    if (!isCredentialFieldName(name)) {
      throw new Error(`${exchange.id} requires "${name}", which the catalog cannot label`);
    }
  }
  return CREDENTIAL_FIELD_NAMES.filter((name) => wanted.has(name));
}

// Lower-cased code-unit order: identical in every runtime, unlike localeCompare.
function byDisplayName(a: ExchangeCatalogEntry, b: ExchangeCatalogEntry): number {
  const [left, right] = [a.name.toLowerCase(), b.name.toLowerCase()];
  if (left !== right) return left < right ? -1 : 1;
  return a.id < b.id ? -1 : 1;
}

function buildCatalog(exchanges: readonly GeneratedExchange[]): ExchangeCatalogEntry[] {
  const entries = exchanges.map((exchange): ExchangeCatalogEntry => ({
    id: exchange.id,
    name: exchange.name,
    credentialFields: formFields(exchange),
    sandbox: exchange.sandbox,
    verified: VERIFIED_EXCHANGE_IDS.includes(exchange.id),
  }));
  const verified = entries.filter((entry) => entry.verified).sort(byDisplayName);
  const others = entries.filter((entry) => !entry.verified).sort(byDisplayName);
  return [...verified, ...others];
}

/** Verified exchanges first, then the rest, each group alphabetical by display name. */
export const exchangeCatalog: readonly ExchangeCatalogEntry[] = buildCatalog(generated.exchanges);

/** The ccxt version the catalog was generated from. */
export const catalogCcxtVersion: string = generated.ccxtVersion;

const byId = new Map(exchangeCatalog.map((entry) => [entry.id, entry]));

export function findExchange(id: string): ExchangeCatalogEntry | undefined {
  return byId.get(id);
}

/** The connect form's fields for one exchange, labelled; empty for an unknown exchange. */
export function credentialFieldsFor(id: string): CredentialField[] {
  const exchange = findExchange(id);
  if (!exchange) return [];
  return exchange.credentialFields.map((name) => ({
    name,
    ...GENERIC_FIELDS[name],
    ...FIELD_OVERRIDES[id]?.[name],
  }));
}
