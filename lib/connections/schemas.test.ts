import { describe, expect, it } from 'vitest';
import {
  connectExchangeSchema,
  disconnectSchema,
  isConnectionId,
  parseInput,
  testConnectionSchema,
  updateConnectionSchema,
} from './schemas';

describe('connection input schemas', () => {
  it('accepts a connect form, trimming the label and dropping unknown fields', () => {
    expect(
      parseInput(connectExchangeSchema, {
        exchangeId: 'binance',
        credentials: { apiKey: 'k', secret: 's' },
        label: '  Main  ',
        extra: 'ignored',
      }),
    ).toEqual({
      ok: true,
      data: { exchangeId: 'binance', credentials: { apiKey: 'k', secret: 's' }, label: 'Main' },
    });
  });

  it('keys every error by its field path, with a message that names the field', () => {
    const result = parseInput(testConnectionSchema, {
      exchangeId: '',
      credentials: { apiKey: 5 },
      sandbox: 'yes',
    });
    expect(result).toEqual({
      ok: false,
      message: 'Check the highlighted fields.',
      fieldErrors: {
        exchangeId: 'Exchange is required.',
        'credentials.apiKey': 'Each credential must be text.',
        sandbox: 'Sandbox must be true or false.',
      },
    });
  });

  it('bounds the label, the sync interval and the credentials', () => {
    const fieldErrors = (schema: Parameters<typeof parseInput>[0], input: unknown) => {
      const result = parseInput(schema, input);
      return result.ok ? {} : result.fieldErrors;
    };
    expect(fieldErrors(updateConnectionSchema, { label: 'x'.repeat(61) })).toEqual({
      label: 'Label must be at most 60 characters.',
    });
    expect(fieldErrors(updateConnectionSchema, { syncIntervalSeconds: '300' })).toEqual({
      syncIntervalSeconds: 'Sync interval must be a number of seconds.',
    });
    expect(parseInput(updateConnectionSchema, { syncIntervalSeconds: 60 }).ok).toBe(true);
    expect(parseInput(updateConnectionSchema, { syncIntervalSeconds: 86_400 }).ok).toBe(true);
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, 'v']));
    expect(fieldErrors(testConnectionSchema, { exchangeId: 'binance', credentials: tooMany })).toEqual({
      credentials: 'Credentials have too many fields.',
    });
  });

  it('answers an empty update with one form-level message', () => {
    expect(parseInput(updateConnectionSchema, {})).toEqual({
      ok: false,
      message: 'Nothing to update: change the label, the sync interval, auto-sync or the API key.',
      fieldErrors: { form: 'Nothing to update: change the label, the sync interval, auto-sync or the API key.' },
    });
  });

  it('requires the keep-holdings choice when disconnecting', () => {
    expect(parseInput(disconnectSchema, { keepHoldings: false })).toEqual({ ok: true, data: { keepHoldings: false } });
    expect(parseInput(disconnectSchema, undefined)).toMatchObject({ ok: false });
  });

  it('recognises connection ids', () => {
    expect(isConnectionId('4b7e6f4e-2f55-4f59-9d5e-2f0d8b0a3c11')).toBe(true);
    expect(isConnectionId('4b7e6f4e')).toBe(false);
    expect(isConnectionId(42)).toBe(false);
  });
});
