import 'server-only';
import { parseArgs } from 'node:util';
import { CREDENTIAL_FIELD_NAMES, credentialFieldsFor, findExchange } from '@/lib/exchanges/catalog';
import type { KeyPermissions } from '@/lib/exchanges/types';
import { keyHint } from '@/lib/vault/credentials';
import { canTradeOrTransfer, checkKey, prepareCredentials, summarizeBalances, withdrawRefusal } from './key-check';

/**
 * `npm run exchange:check`: an operator checks a real exchange key before go-live, through the same
 * code the connect form's Test button runs (prepareCredentials → checkKey: field checks, permission
 * probe, balance read), without a database. Keys come from the environment or standard input, never
 * from the command line, where they would stay in shell history and be visible to `ps`.
 */

export const USAGE = `Usage: npm run exchange:check -- --exchange <id> [--sandbox] [--stdin] [--json]

The key is read from the environment:
  EXCHANGE_API_KEY, EXCHANGE_SECRET, EXCHANGE_PASSWORD (or EXCHANGE_PASSPHRASE), EXCHANGE_UID,
  EXCHANGE_PRIVATE_KEY, EXCHANGE_WALLET_ADDRESS, EXCHANGE_ACCOUNT_ID, EXCHANGE_LOGIN
  (each also as <NAME>_FILE: a file holding the value, e.g. EXCHANGE_SECRET_FILE=cdp_api_key.pem)
or, with --stdin, from standard input as JSON: {"apiKey": "…", "secret": "…"} or a Coinbase CDP key file.`;

export const KEY_ON_COMMAND_LINE =
  'Keys are never read from the command line: they would stay in your shell history and be visible to every user ' +
  'of this machine (ps). Set EXCHANGE_API_KEY, EXCHANGE_SECRET (and EXCHANGE_PASSWORD for a passphrase) in the ' +
  'environment, or pipe the key as JSON with --stdin.';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CheckArguments {
  exchangeId: string;
  sandbox: boolean;
  fromStdin: boolean;
  json: boolean;
}

/** Option names that would carry a credential: refused with KEY_ON_COMMAND_LINE rather than "unknown option". */
const CREDENTIAL_OPTION = /key|secret|pass|token|uid|login|account|wallet|private|pem|credential/i;

export function parseCheckArguments(argv: string[]): CheckArguments {
  for (const arg of argv) {
    const name = /^--?([^=]+)/.exec(arg)?.[1];
    if (name && CREDENTIAL_OPTION.test(name)) throw new UsageError(KEY_ON_COMMAND_LINE);
  }
  let values: { exchange?: string; sandbox?: boolean; stdin?: boolean; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        exchange: { type: 'string' },
        sandbox: { type: 'boolean' },
        stdin: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  // A bare word may be a key pasted without an option name: refuse it the same way, never echo it.
  if (positionals.length > 0) throw new UsageError(KEY_ON_COMMAND_LINE);
  if (!values.exchange) throw new UsageError(`--exchange is required.\n\n${USAGE}`);
  if (!findExchange(values.exchange)) {
    throw new UsageError(`--exchange: "${values.exchange}" is not an exchange Coinsphere can read balances from.`);
  }
  return {
    exchangeId: values.exchange,
    sandbox: values.sandbox ?? false,
    fromStdin: values.stdin ?? false,
    json: values.json ?? false,
  };
}

/** EXCHANGE_API_KEY for apiKey, EXCHANGE_WALLET_ADDRESS for walletAddress. */
export function environmentName(field: string): string {
  return `EXCHANGE_${field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** The exchange's credential fields as set in the environment (a `_FILE` variable is read by the caller). */
export function credentialsFromEnvironment(
  exchangeId: string,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const { name } of credentialFieldsFor(exchangeId)) {
    const variable = environmentName(name);
    const aliases = name === 'password' ? [variable, 'EXCHANGE_PASSPHRASE'] : [variable];
    for (const alias of aliases) {
      const file = env[`${alias}_FILE`];
      const value = env[alias] ?? (file ? readFile(file) : undefined);
      if (value !== undefined) {
        fields[name] = value;
        break;
      }
    }
  }
  return fields;
}

/** Standard input as JSON: credential fields by name, or a Coinbase CDP key file ({ name, privateKey }). */
export function credentialsFromJson(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError('Standard input is not JSON: pipe {"apiKey": "…", "secret": "…"} or a CDP key file.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('Standard input must be one JSON object of credential fields.');
  }
  const input = parsed as Record<string, unknown>;
  const fields: Record<string, string> = {};
  const known = new Set<string>(CREDENTIAL_FIELD_NAMES);
  for (const [name, value] of Object.entries(input)) {
    const field = name === 'name' && 'privateKey' in input ? 'apiKey' : name;
    const target = name === 'privateKey' && 'name' in input ? 'secret' : field;
    if (!known.has(target) && target !== 'passphrase') {
      throw new UsageError(
        `Standard input: "${name}" is not a credential field (${CREDENTIAL_FIELD_NAMES.join(', ')}).`,
      );
    }
    if (typeof value !== 'string') throw new UsageError(`Standard input: "${name}" must be text.`);
    fields[target === 'passphrase' ? 'password' : target] = value;
  }
  return fields;
}

export interface KeyCheckReport {
  exchange: { id: string; name: string };
  sandbox: boolean;
  /** The last four characters of the API key, as the app shows them. */
  keyHint: string;
  usable: boolean;
  /** Why the app would refuse the key, in the app's own words. */
  problem?: string;
  fieldErrors?: Record<string, string>;
  assets?: number;
  wallets?: string[];
  /** null when the exchange cannot tell; absent when the check stopped before the probe answered. */
  permissions?: KeyPermissions | null;
  readOnly?: boolean | null;
  needsTradingAcknowledgement?: boolean;
  warnings: string[];
}

export async function checkExchangeKey(
  exchangeId: string,
  fields: Record<string, string>,
  sandbox: boolean,
): Promise<KeyCheckReport> {
  const exchange = findExchange(exchangeId)!;
  const base = {
    exchange: { id: exchange.id, name: exchange.name },
    sandbox,
    keyHint: fields.apiKey ? keyHint(fields.apiKey) : '',
    warnings: [] as string[],
  };
  const prepared = prepareCredentials(exchangeId, fields, sandbox);
  if (!prepared.ok) return { ...base, usable: false, problem: prepared.message, fieldErrors: prepared.fieldErrors };
  const cleaned = { ...base, keyHint: keyHint(prepared.credentials.apiKey) };

  const checked = await checkKey({ ...prepared, sandbox, allowTrading: true });
  if (!checked.ok) {
    // The probe refuses a key that can withdraw before reading anything; that much is known of it.
    const canWithdraw = checked.message === withdrawRefusal();
    return { ...cleaned, usable: false, problem: checked.message, ...(canWithdraw ? { readOnly: false } : {}) };
  }
  const { key } = checked;
  const { assets, wallets } = summarizeBalances(key.balances);
  const permissions = key.permissions;
  return {
    ...cleaned,
    usable: true,
    assets,
    wallets,
    permissions,
    readOnly: permissions === null ? null : !(permissions.trade || permissions.transfer || permissions.withdraw),
    needsTradingAcknowledgement: canTradeOrTransfer(permissions),
    warnings: key.warnings,
  };
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export function formatReport(report: KeyCheckReport): string {
  const lines = [
    `Exchange:    ${report.exchange.name} (${report.exchange.id})${report.sandbox ? ', sandbox' : ''}`,
    `API key:     …${report.keyHint}`,
  ];
  if (report.usable) {
    lines.push(
      `Can read:    ${plural(report.assets!, 'asset')} in ${plural(report.wallets!.length, 'wallet')} (${report.wallets!.join(', ') || 'none'})`,
    );
    const p = report.permissions;
    lines.push(
      p
        ? `Permissions: ${report.readOnly ? 'read-only' : 'NOT read-only'} (read ${yesNo(p.read)}, trade ${yesNo(p.trade)}, ` +
            `withdraw ${yesNo(p.withdraw)}, transfer ${yesNo(p.transfer)}, IP-restricted ${yesNo(p.ipRestricted)})`
        : 'Permissions: the exchange does not tell; make sure the key is read-only',
    );
  }
  for (const warning of report.warnings) lines.push(`Warning:     ${warning}`);
  for (const [field, message] of Object.entries(report.fieldErrors ?? {})) lines.push(`${field}: ${message}`);
  lines.push(
    report.usable
      ? `Result:      Coinsphere would accept this key${report.needsTradingAcknowledgement ? ' once the user confirms it may trade' : ''}.`
      : `Result:      Coinsphere would refuse this key. ${report.problem}`,
  );
  return lines.join('\n');
}
