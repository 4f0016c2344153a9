import { describe, expect, it } from 'vitest';
import { changePasswordSchema, signInSchema, signUpSchema } from './schemas';

function fieldErrors(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  const out: Record<string, string> = {};
  for (const issue of result.error?.issues ?? []) out[String(issue.path[0])] ??= issue.message;
  return out;
}

describe('sign-up input', () => {
  it('accepts a valid sign-up and normalises the email', () => {
    const parsed = signUpSchema.parse({
      name: ' Ada ',
      email: '  Ada@Example.COM ',
      password: 'correct horse battery',
    });
    expect(parsed).toEqual({ name: 'Ada', email: 'ada@example.com', password: 'correct horse battery' });
  });

  it('names the field for a malformed email', () => {
    const errors = fieldErrors(signUpSchema.safeParse({ email: 'not-an-email', password: 'long enough password' }));
    expect(errors).toEqual({ email: 'Enter a valid email address, like name@example.com.' });
  });

  it('refuses a password under 12 characters and accepts exactly 12', () => {
    expect(fieldErrors(signUpSchema.safeParse({ email: 'a@b.co', password: '12345678901' }))).toEqual({
      password: 'Use at least 12 characters.',
    });
    expect(signUpSchema.safeParse({ email: 'a@b.co', password: '123456789012' }).success).toBe(true);
  });

  it('accepts long, unicode and spaced passphrases without truncating them', () => {
    const passphrase = 'ünïcödé pässphrase with spaces '.repeat(4);
    expect(signUpSchema.parse({ email: 'a@b.co', password: passphrase }).password).toBe(passphrase);
    expect(fieldErrors(signUpSchema.safeParse({ email: 'a@b.co', password: 'x'.repeat(257) }))).toEqual({
      password: 'Use at most 256 characters.',
    });
  });

  it('refuses a name with control characters or text-direction marks, naming the field', () => {
    const message = 'Your name cannot contain line breaks, control characters or invisible text-direction marks.';
    for (const name of [
      'Ada\u0000',
      'Ada\r\nLovelace',
      'Ada\u001B[31m',
      '\u202EadA',
      'Ada\u2066x\u2069',
      'Ada\u200F',
    ]) {
      expect(fieldErrors(signUpSchema.safeParse({ name, email: 'a@b.co', password: 'long enough password' }))).toEqual({
        name: message,
      });
    }
    expect(fieldErrors(signUpSchema.safeParse({ name: 7, email: 'a@b.co', password: 'long enough password' }))).toEqual(
      {
        name: 'Your name must be text.',
      },
    );
    for (const name of ['Ada Lovelace', 'Zoë O’Brien', 'Иван', 'عائشة', '李雷 🙂']) {
      expect(signUpSchema.parse({ name, email: 'a@b.co', password: 'long enough password' }).name).toBe(name);
    }
  });

  it('gives a message on every empty field', () => {
    expect(fieldErrors(signUpSchema.safeParse({ email: '', password: '' }))).toEqual({
      email: 'Enter your email address.',
      password: 'Choose a password.',
    });
    expect(fieldErrors(signUpSchema.safeParse({}))).toEqual({
      email: 'Enter your email address.',
      password: 'Choose a password.',
    });
  });
});

describe('sign-in and change-password input', () => {
  it('requires both sign-in fields', () => {
    expect(fieldErrors(signInSchema.safeParse({ email: '', password: '' }))).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });

  it('refuses a new password equal to the current one', () => {
    const same = 'the same password';
    expect(fieldErrors(changePasswordSchema.safeParse({ currentPassword: same, newPassword: same }))).toEqual({
      newPassword: 'Choose a password different from the current one.',
    });
  });
});
