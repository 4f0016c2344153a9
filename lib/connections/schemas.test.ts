import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  connectExchangeSchema,
  disconnectSchema,
  isConnectionId,
  syncNowSchema,
  testConnectionSchema,
  updateConnectionSchema,
} from './schemas';

const CONNECTION_ID = '4b7e6f4e-2f55-4f59-9d5e-2f0d8b0a3c11';

/** The first message per field path (`form` for the input as a whole), as the forms key them. */
function fieldErrors(schema: z.ZodType, input: unknown): Record<string, string> {
  const parsed = schema.safeParse(input);
  const errors: Record<string, string> = {};
  for (const issue of parsed.error?.issues ?? []) errors[issue.path.map(String).join('.') || 'form'] ??= issue.message;
  return errors;
}

describe('connection input schemas', () => {
  it('accepts a connect form, trimming the label and dropping unknown fields', () => {
    expect(
      connectExchangeSchema.parse({
        exchangeId: 'binance',
        credentials: { apiKey: 'k', secret: 's' },
        label: '  Main  ',
        extra: 'ignored',
      }),
    ).toEqual({ exchangeId: 'binance', credentials: { apiKey: 'k', secret: 's' }, label: 'Main' });
  });

  it('keys every error by its field path, with a message that names the field', () => {
    expect(fieldErrors(testConnectionSchema, { exchangeId: '', credentials: { apiKey: 5 }, sandbox: 'yes' })).toEqual({
      exchangeId: 'Exchange is required.',
      'credentials.apiKey': 'Each credential must be text.',
      sandbox: 'Sandbox must be true or false.',
    });
    expect(fieldErrors(testConnectionSchema, { exchangeId: 3, credentials: 'x' })).toEqual({
      exchangeId: 'Exchange is required.',
      credentials: 'Credentials are required.',
    });
  });

  it('bounds the label, the sync interval and the credentials', () => {
    const update = (changes: object) =>
      fieldErrors(updateConnectionSchema, { connectionId: CONNECTION_ID, ...changes });
    expect(update({ label: 'x'.repeat(61) })).toEqual({ label: 'Label must be at most 60 characters.' });
    expect(update({ label: '   ' })).toEqual({ label: 'Label cannot be empty.' });
    expect(update({ syncIntervalSeconds: '300' })).toEqual({
      syncIntervalSeconds: 'Sync interval must be a number of seconds.',
    });
    expect(update({ syncIntervalSeconds: 59 })).toEqual({
      syncIntervalSeconds: 'Sync interval must be at least 60 seconds (1 minute).',
    });
    expect(update({ syncIntervalSeconds: 86_401 })).toEqual({
      syncIntervalSeconds: 'Sync interval must be at most 86,400 seconds (24 hours).',
    });
    expect(update({ syncIntervalSeconds: 90.5 })).toEqual({
      syncIntervalSeconds: 'Sync interval must be a whole number of seconds.',
    });
    expect(update({ syncIntervalSeconds: 60 })).toEqual({});
    expect(update({ syncIntervalSeconds: 86_400 })).toEqual({});
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, 'v']));
    expect(fieldErrors(testConnectionSchema, { exchangeId: 'binance', credentials: tooMany })).toEqual({
      credentials: 'Credentials have too many fields.',
    });
  });

  it.each([
    ['NUL', 'Main\u0000'],
    ['a line break', 'Main\nFake log line'],
    ['a tab', 'Main\taccount'],
    ['DEL', 'Main\u007F'],
    ['a right-to-left override', 'Main \u202Etnuocca'],
    ['a left-to-right embedding', '\u202AMain'],
    ['a pop directional formatting', 'Main\u202C'],
    ['a first-strong isolate', 'Main \u2068x\u2069'],
    ['a right-to-left mark', 'Main\u200F'],
    ['a left-to-right mark', '\u200EMain'],
    ['a lone surrogate', 'Main \uD800'],
  ])('refuses a label with %s, naming the label', (_kind, label) => {
    const message = 'Label cannot contain line breaks, control characters or invisible text-direction marks.';
    expect(fieldErrors(connectExchangeSchema, { exchangeId: 'binance', credentials: {}, label })).toEqual({
      label: message,
    });
    expect(fieldErrors(updateConnectionSchema, { connectionId: CONNECTION_ID, label })).toEqual({ label: message });
  });

  it('keeps labels in any script, with emoji and accents', () => {
    for (const label of ['Binance — Ana’s', 'Кошелёк', 'محفظة', '取引所 🚀', 'Zoë’s «spot»']) {
      expect(updateConnectionSchema.parse({ connectionId: CONNECTION_ID, label }).label).toBe(label);
    }
  });

  it('answers an empty update with one form-level message', () => {
    expect(fieldErrors(updateConnectionSchema, { connectionId: CONNECTION_ID })).toEqual({
      form: 'Nothing to update: change the label, the sync interval, auto-sync or the API key.',
    });
  });

  it('requires the keep-holdings choice when disconnecting', () => {
    expect(disconnectSchema.parse({ connectionId: CONNECTION_ID, keepHoldings: false })).toEqual({
      connectionId: CONNECTION_ID,
      keepHoldings: false,
    });
    expect(fieldErrors(disconnectSchema, { connectionId: CONNECTION_ID })).toEqual({
      keepHoldings: 'Keep holdings must be true or false.',
    });
  });

  it('requires a connection id on every action on a connection', () => {
    for (const schema of [syncNowSchema, disconnectSchema, updateConnectionSchema]) {
      expect(fieldErrors(schema, { connectionId: '4b7e6f4e', keepHoldings: true, label: 'x' })).toEqual({
        connectionId: 'Connection id is not valid.',
      });
    }
  });

  it('recognises connection ids', () => {
    expect(isConnectionId(CONNECTION_ID)).toBe(true);
    expect(isConnectionId('4b7e6f4e')).toBe(false);
    expect(isConnectionId(42)).toBe(false);
  });
});
