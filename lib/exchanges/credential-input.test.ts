import ccxt from 'ccxt';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COINBASE_MESSAGES, normalizeCredentialInput, type CredentialInputResult } from './credential-input';

const KEY_NAME = 'organizations/9f2c0d1e-aaaa-bbbb-cccc-1234567890ab/apiKeys/3b910e93-dddd-eeee-ffff-0987654321fe';

function ecKeyPair() {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

/** A new-style CDP secret: base64 of the 32-byte seed followed by the 32-byte public key. */
function ed25519Secret(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return Buffer.concat([seed, pub]).toString('base64');
}

function credentialsOf(result: CredentialInputResult) {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.fieldErrors)}`);
  return result.credentials;
}

function errorsOf(result: CredentialInputResult) {
  if (result.ok) throw new Error(`expected field errors, got ${JSON.stringify(result.credentials)}`);
  return result.fieldErrors;
}

/** Signs one request with unmodified ccxt offline and checks the JWT with node:crypto. */
function coinbaseSignsWith(secret: string, publicKeyPem: string): boolean {
  const exchange = new ccxt.coinbase({ apiKey: KEY_NAME, secret });
  const { headers } = exchange.sign('accounts', ['v2', 'private'], 'GET', {}) as { headers: Record<string, string> };
  const [header, payload, signature] = headers.Authorization!.replace('Bearer ', '').split('.');
  return verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: createPublicKey(publicKeyPem), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature!, 'base64url'),
  );
}

describe('normalizeCredentialInput: every exchange', () => {
  it('requires every field, naming it', () => {
    expect(errorsOf(normalizeCredentialInput('kucoin', { apiKey: 'key' }))).toEqual({
      secret: 'Enter your API secret.',
      password: 'Enter your passphrase.',
    });
    expect(errorsOf(normalizeCredentialInput('binance', { apiKey: '   ', secret: 's' }))).toEqual({
      apiKey: 'Enter your API key.',
    });
    expect(errorsOf(normalizeCredentialInput('dydx', {}))).toEqual({ walletAddress: 'Enter your wallet address.' });
  });

  it('trims whitespace, zero-width characters and the quotes of a value copied from a JSON file', () => {
    const result = normalizeCredentialInput('kucoin', {
      apiKey: '  6512ab34cd \n',
      secret: '\u200Bf3e1-secret\t',
      password: '"my pass phrase",',
    });
    expect(credentialsOf(result)).toEqual({ apiKey: '6512ab34cd', secret: 'f3e1-secret', password: 'my pass phrase' });
  });

  it('strips straight and typographic quotes around a pasted value', () => {
    const result = normalizeCredentialInput('kucoin', {
      apiKey: '“6512ab34cd”',
      secret: '‘f3e1-secret’',
      password: '«my pass phrase»',
    });
    expect(credentialsOf(result)).toEqual({ apiKey: '6512ab34cd', secret: 'f3e1-secret', password: 'my pass phrase' });
  });

  it('refuses characters a key cannot hold, naming the field and the character but not the value', () => {
    const message = (label: string, found: string) =>
      `The ${label} can only hold the characters of a key (A–Z, a–z, digits and ASCII punctuation), but it contains ${found}. Copy it again from the exchange.`;
    expect(
      errorsOf(
        normalizeCredentialInput('kucoin', {
          apiKey: 'ab\u200Fcd-key',
          secret: 'sëcret-value',
          password: 'pass\u0000word',
        }),
      ),
    ).toEqual({
      apiKey: message('API key', 'an invisible text-direction mark (U+200F)'),
      secret: message('API secret', '“ë” (U+00EB)'),
      password: message('passphrase', 'an invisible control character (U+0000)'),
    });
    expect(errorsOf(normalizeCredentialInput('binance', { apiKey: 'key😀', secret: 'line\nbreak' }))).toEqual({
      apiKey: message('API key', '“😀” (U+1F600)'),
      secret: message('API secret', 'a line break (U+000A)'),
    });
    // A Coinbase key name is checked the same way; its secret has its own checks (PEM or Ed25519 base64).
    expect(
      errorsOf(normalizeCredentialInput('coinbase', { apiKey: 'organizations/х/apiKeys/1', secret: ed25519Secret() })),
    ).toEqual({
      apiKey: message('API key', '“х” (U+0445)'),
    });
  });

  it('keeps spaces and ASCII punctuation inside a passphrase, and the lines of a PEM', () => {
    const { privateKey } = ecKeyPair();
    const result = normalizeCredentialInput('kucoin', { apiKey: 'k', secret: 's', password: 'my p@ss "phrase"!' });
    expect(credentialsOf(result).password).toBe('my p@ss "phrase"!');
    expect(
      credentialsOf(
        normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: privateKey.replace(/\n/g, '\r\n') }),
      ).secret,
    ).toBe(privateKey);
  });

  it('rejects fields the exchange does not use', () => {
    expect(errorsOf(normalizeCredentialInput('binance', { apiKey: 'k', secret: 's', password: 'p' }))).toEqual({
      password: 'Binance does not use this field.',
    });
  });

  it('rejects an unknown exchange', () => {
    expect(errorsOf(normalizeCredentialInput('mtgox', { apiKey: 'k' }))).toEqual({
      exchangeId: 'Choose an exchange from the list.',
    });
  });

  it('refuses a PEM key in a field that is not a secret', () => {
    const { privateKey } = ecKeyPair();
    expect(errorsOf(normalizeCredentialInput('binance', { apiKey: privateKey, secret: 's' }))).toEqual({
      apiKey: 'This is a key file (PEM), not the API key.',
    });
  });

  it('restores the newlines of a Binance Ed25519 key pasted with literal \\n', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { secret } = credentialsOf(
      normalizeCredentialInput('binance', { apiKey: 'k', secret: pem.replace(/\n/g, '\\n') }),
    );
    expect(secret).toBe(pem);
  });
});

describe('normalizeCredentialInput: Coinbase CDP keys', () => {
  it('accepts the EC private key as issued', () => {
    const { privateKey, publicKey } = ecKeyPair();
    const { apiKey, secret } = credentialsOf(
      normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: privateKey }),
    );
    expect(apiKey).toBe(KEY_NAME);
    expect(secret).toBe(privateKey);
    expect(coinbaseSignsWith(secret!, publicKey)).toBe(true);
  });

  it('is needed because ccxt alone cannot read a PEM pasted with literal \\n', () => {
    const secret = ecKeyPair().privateKey.replace(/\n/g, '\\n');
    const exchange = new ccxt.coinbase({ apiKey: KEY_NAME, secret });
    expect(() => exchange.sign('accounts', ['v2', 'private'], 'GET', {})).toThrow(/padding/);
  });

  it.each([
    ['literal \\n sequences', (pem: string) => pem.replace(/\n/g, '\\n')],
    ['the JSON string with its quotes', (pem: string) => JSON.stringify(pem)],
    ['newlines flattened to spaces', (pem: string) => pem.replace(/\n/g, ' ')],
    ['Windows line endings', (pem: string) => pem.replace(/\n/g, '\r\n')],
  ])('restores a PEM pasted with %s', (_, mangle) => {
    const { privateKey, publicKey } = ecKeyPair();
    const { secret } = credentialsOf(
      normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: mangle(privateKey) }),
    );
    expect(secret).toBe(privateKey);
    expect(createPrivateKey(secret!).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(coinbaseSignsWith(secret!, publicKey)).toBe(true);
  });

  it('explains that a PKCS#8 key is the wrong format', () => {
    const pkcs8 = createPrivateKey(ecKeyPair().privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: pkcs8 }))).toEqual({
      secret:
        'This is a PKCS#8 key; Coinbase needs the EC private key (-----BEGIN EC PRIVATE KEY-----) from the CDP key file.',
    });
  });

  it('explains a PEM without its END line', () => {
    const truncated = ecKeyPair().privateKey.replace('-----END EC PRIVATE KEY-----\n', '');
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: truncated })).secret).toBe(
      'The key is incomplete: the -----END EC PRIVATE KEY----- line is missing. Copy the whole key again from the key file.',
    );
  });

  it('explains a PEM whose body is not base64', () => {
    const pem = ecKeyPair().privateKey;
    const damaged = pem.replace(/\n([A-Za-z0-9+/]{10})/, '\n$1!*');
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: damaged })).secret).toBe(
      "The key's body is not valid base64: it was changed or cut while copying. Copy the whole key again from the key file.",
    );
  });

  it('explains a PEM that lost a line of its body', () => {
    const lines = ecKeyPair().privateKey.split('\n');
    const missingLine = [...lines.slice(0, 2), ...lines.slice(3)].join('\n');
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: missingLine })).secret).toBe(
      COINBASE_MESSAGES.damagedEcKey,
    );
  });

  it('explains a key body pasted without its BEGIN and END lines', () => {
    const body = ecKeyPair().privateKey.split('\n').slice(1, -2).join('');
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: body })).secret).toBe(
      COINBASE_MESSAGES.bareEcKey,
    );
  });

  it('accepts the 88-character Ed25519 secret of a new CDP key', () => {
    const secret = ed25519Secret();
    expect(secret).toHaveLength(88);
    const apiKey = randomUUID();
    expect(credentialsOf(normalizeCredentialInput('coinbase', { apiKey, secret: ` ${secret}\n` }))).toEqual({
      apiKey,
      secret,
    });
  });

  it('explains a cut-off Ed25519 secret', () => {
    const cut = ed25519Secret().slice(4);
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: randomUUID(), secret: cut })).secret).toBe(
      COINBASE_MESSAGES.shortEd25519,
    );
  });

  it('refuses a secret that is no CDP key at all', () => {
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: 'abcd1234', secret: 'hunter2' })).secret).toBe(
      COINBASE_MESSAGES.unknownSecret,
    );
  });

  it('refuses a PEM pasted into the API key field', () => {
    const { privateKey, publicKey } = ecKeyPair();
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: privateKey, secret: privateKey })).apiKey).toBe(
      COINBASE_MESSAGES.privateKeyAsName,
    );
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: publicKey, secret: privateKey }))).toEqual({
      apiKey:
        'This is a public key, not the key name. Paste the key name (organizations/…/apiKeys/…) from the CDP key file.',
    });
  });

  it('refuses the whole key file pasted into one field', () => {
    const file = JSON.stringify({ name: KEY_NAME, privateKey: ecKeyPair().privateKey }, null, 2);
    expect(errorsOf(normalizeCredentialInput('coinbase', { apiKey: KEY_NAME, secret: file })).secret).toBe(
      COINBASE_MESSAGES.keyFile,
    );
  });
});
