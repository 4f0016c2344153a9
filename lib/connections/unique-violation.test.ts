import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from './unique-violation';

describe('isUniqueViolation', () => {
  const INDEX = 'exchange_credentials_fingerprint_key';

  it('recognises postgres.js and PGlite errors, also wrapped by Drizzle', () => {
    const postgresJs = Object.assign(new Error('duplicate key'), { code: '23505', constraint_name: INDEX });
    const pglite = Object.assign(new Error('duplicate key'), { code: '23505', constraint: INDEX });
    expect(isUniqueViolation(postgresJs, INDEX)).toBe(true);
    expect(isUniqueViolation(new Error('Failed query', { cause: pglite }), INDEX)).toBe(true);
  });

  it('is false for another index, another error or no error', () => {
    const other = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'users_email_key' });
    expect(isUniqueViolation(other, INDEX)).toBe(false);
    expect(isUniqueViolation(Object.assign(new Error('fk'), { code: '23503' }), INDEX)).toBe(false);
    expect(isUniqueViolation(undefined, INDEX)).toBe(false);
    expect(isUniqueViolation('23505', INDEX)).toBe(false);
  });
});
