import { credentialFieldsFor, findExchange, type CredentialField, type CredentialFieldName } from './catalog';

/**
 * Cleans what a user pasted into the connect form before anything is stored or sent to an exchange,
 * and explains the common mistakes in the form's words instead of letting ccxt fail later with
 * "padding: invalid" or "Unsupported key format". Safe in the browser and on the server: no ccxt, no
 * node: modules. The server must run it again on submit; the browser runs it for early feedback.
 */

export type CredentialValues = Partial<Record<CredentialFieldName, string>>;

export type CredentialInputResult =
  { ok: true; credentials: CredentialValues } | { ok: false; fieldErrors: Record<string, string> };

const EC_PRIVATE_KEY = 'EC PRIVATE KEY';
const PKCS8_PRIVATE_KEY = 'PRIVATE KEY';
const COINBASE_KEY_NAME = 'organizations/…/apiKeys/…';
const PASTE_AGAIN = 'Copy the whole key again from the key file.';

export const COINBASE_MESSAGES = {
  pkcs8:
    'This is a PKCS#8 key; Coinbase needs the EC private key (-----BEGIN EC PRIVATE KEY-----) from the CDP key file.',
  otherPem: 'Coinbase needs the EC private key (-----BEGIN EC PRIVATE KEY-----) from the CDP key file.',
  damagedEcKey: `This EC private key is damaged or incomplete. ${PASTE_AGAIN}`,
  bareEcKey: `This is the key without its -----BEGIN EC PRIVATE KEY----- and -----END EC PRIVATE KEY----- lines. ${PASTE_AGAIN}`,
  shortEd25519:
    'This looks like an Ed25519 secret, but it is incomplete: the full secret is 88 characters of base64 ending in "=".',
  unknownSecret:
    'Coinbase needs the private key of a CDP API key: an EC private key (-----BEGIN EC PRIVATE KEY-----) or the 88-character Ed25519 secret from the key file.',
  privateKeyAsName: `This is the private key: it goes in the API secret field. Here, paste the key name (${COINBASE_KEY_NAME}).`,
  publicKeyAsName: `This is a public key, not the key name. Paste the key name (${COINBASE_KEY_NAME}) from the CDP key file.`,
  keyFile: 'This is the whole key file. Paste its "name" into API key and its "privateKey" into API secret.',
} as const;

export function normalizeCredentialInput(exchangeId: string, input: Record<string, string>): CredentialInputResult {
  const exchange = findExchange(exchangeId);
  if (!exchange) return { ok: false, fieldErrors: { exchangeId: 'Choose an exchange from the list.' } };

  const fields = credentialFieldsFor(exchangeId);
  const fieldErrors: Record<string, string> = {};
  for (const name of Object.keys(input)) {
    if (!fields.some((field) => field.name === name)) fieldErrors[name] = `${exchange.name} does not use this field.`;
  }

  const credentials: CredentialValues = {};
  for (const field of fields) {
    const raw = input[field.name];
    const result = normalizeField(exchangeId, field, typeof raw === 'string' ? cleanValue(raw) : '');
    if ('error' in result) fieldErrors[field.name] = result.error;
    else credentials[field.name] = result.value;
  }

  return Object.keys(fieldErrors).length > 0 ? { ok: false, fieldErrors } : { ok: true, credentials };
}

// Zero-width characters, and the quotes around a value copied out of a JSON key file or out of a chat or
// document that turned them typographic, are never part of a key.
function cleanValue(raw: string): string {
  const trimmed = raw.replace(/[\u200B-\u200D\uFEFF]/g, '').trim();
  const quoted = /^["'“”„‘’‚«»]([\s\S]*)["'“”‘’«»],?$/.exec(trimmed);
  return (quoted ? quoted[1]! : trimmed).trim();
}

// Exchanges issue keys, secrets and passphrases in printable ASCII, and ccxt puts them in HTTP headers
// and signatures, where anything else fails before a request is sent. A PEM private key also has lines.
const KEY_CHARACTERS = /^[\x20-\x7E]*$/;
const PEM_CHARACTERS = /^[\x20-\x7E\t\r\n]*$/;
const DIRECTION_MARKS = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** The first character a key cannot hold, described without the rest of the value. */
function describeCharacter(value: string, allowed: RegExp): string | undefined {
  for (const char of value) {
    if (allowed.test(char)) continue;
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    if (char === '\n' || char === '\r') return `a line break (${code})`;
    if (DIRECTION_MARKS.test(char)) return `an invisible text-direction mark (${code})`;
    if (/\p{Cc}|\p{Cf}/u.test(char)) return `an invisible control character (${code})`;
    if (/\s/.test(char)) return `a space that is not a plain space (${code})`;
    return `“${char}” (${code})`;
  }
  return undefined;
}

function characterError(field: CredentialField, value: string): string | undefined {
  const found = describeCharacter(value, isPem(value) ? PEM_CHARACTERS : KEY_CHARACTERS);
  if (!found) return undefined;
  return (
    `The ${lowerFirst(field.label)} can only hold the characters of a key (A–Z, a–z, digits and ASCII punctuation), ` +
    `but it contains ${found}. Copy it again from the exchange.`
  );
}

// "API secret" keeps its acronym; "Passphrase" becomes "passphrase".
function lowerFirst(label: string): string {
  return /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

function normalizeField(
  exchangeId: string,
  field: CredentialField,
  value: string,
): { value: string } | { error: string } {
  if (value === '') return { error: `Enter your ${lowerFirst(field.label)}.` };
  const coinbaseError = exchangeId === 'coinbase' ? coinbaseFieldError(field.name, value) : undefined;
  if (coinbaseError) return { error: coinbaseError };
  const badCharacter = characterError(field, value);
  if (badCharacter) return { error: badCharacter };
  if (!isPem(value)) return { value };
  if (!field.secret) return { error: `This is a key file (PEM), not the ${lowerFirst(field.label)}.` };
  const pem = parsePem(value);
  return typeof pem === 'string' ? { error: pem } : { value: pem.canonical };
}

function coinbaseFieldError(name: CredentialFieldName, value: string): string | undefined {
  if (/^\{[\s\S]*"(privateKey|name)"/.test(value)) return COINBASE_MESSAGES.keyFile;
  if (name === 'apiKey' && isPem(value)) {
    return /PRIVATE KEY/.test(value) ? COINBASE_MESSAGES.privateKeyAsName : COINBASE_MESSAGES.publicKeyAsName;
  }
  if (name === 'secret') return coinbaseSecretError(value);
  return undefined;
}

/** ccxt signs ES256 when the secret starts with -----BEGIN, EdDSA when it is 88 long or ends in "=". */
function coinbaseSecretError(value: string): string | undefined {
  if (isPem(value)) {
    const pem = parsePem(value);
    if (typeof pem === 'string') return pem;
    if (pem.label === PKCS8_PRIVATE_KEY) return COINBASE_MESSAGES.pkcs8;
    if (pem.label !== EC_PRIVATE_KEY) return COINBASE_MESSAGES.otherPem;
    return isSec1EcKey(pem.der) ? undefined : COINBASE_MESSAGES.damagedEcKey;
  }
  const bytes = decodeBase64(value);
  if (bytes && value.length === 88 && bytes.length === 64) return undefined;
  if (bytes && isSec1EcKey(bytes)) return COINBASE_MESSAGES.bareEcKey;
  if (value.length === 88 || value.endsWith('=')) return COINBASE_MESSAGES.shortEd25519;
  return COINBASE_MESSAGES.unknownSecret;
}

interface Pem {
  label: string;
  der: Uint8Array;
  /** Header, body wrapped at 64 columns, footer and a final newline: what OpenSSL and the CDP key file produce. */
  canonical: string;
}

function isPem(value: string): boolean {
  return value.includes('-----BEGIN');
}

/**
 * Accepts a PEM with real newlines, with the literal `\n` sequences a JSON key file holds, or flattened
 * onto one line by a text field. Returns the message for the user when it cannot be a whole key.
 */
function parsePem(value: string): Pem | string {
  const text = value.replace(/\\r\\n|\\n|\\r/g, '\n').replace(/\r\n?/g, '\n');
  const header = /^-----BEGIN ([A-Z0-9 #]+)-----/.exec(text);
  if (!header) return 'Paste only the key itself, from the -----BEGIN line to the -----END line.';
  const label = header[1]!;
  const footer = `-----END ${label}-----`;
  const end = text.indexOf(footer);
  if (end < 0) return `The key is incomplete: the -----END ${label}----- line is missing. ${PASTE_AGAIN}`;
  if (text.slice(end + footer.length).trim() !== '') return 'Paste only one key, ending with its -----END line.';
  const body = text.slice(header[0].length, end).replace(/\s+/g, '');
  const der = decodeBase64(body);
  if (!der || der.length === 0) {
    return `The key's body is not valid base64: it was changed or cut while copying. ${PASTE_AGAIN}`;
  }
  const lines = body.match(/.{1,64}/g) ?? [];
  return { label, der, canonical: `-----BEGIN ${label}-----\n${lines.join('\n')}\n${footer}\n` };
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * SEC1 ECPrivateKey: a DER SEQUENCE whose length covers exactly the decoded bytes (so a dropped line is
 * caught), starting with version 1 and the private key OCTET STRING.
 */
function isSec1EcKey(der: Uint8Array): boolean {
  if (der[0] !== 0x30 || der.length < 2) return false;
  let headerLength = 2;
  let contentLength = der[1]!;
  if (contentLength & 0x80) {
    const lengthBytes = contentLength & 0x7f;
    if (lengthBytes < 1 || lengthBytes > 2) return false;
    contentLength = 0;
    for (let i = 0; i < lengthBytes; i++) contentLength = contentLength * 256 + (der[2 + i] ?? 0);
    headerLength += lengthBytes;
  }
  if (headerLength + contentLength !== der.length) return false;
  const [tag, length, version, octetString] = der.slice(headerLength, headerLength + 4);
  return tag === 0x02 && length === 0x01 && version === 0x01 && octetString === 0x04;
}
