'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { returnValidationErrors } from 'next-safe-action';
import { CredentialsSignin } from 'next-auth';
import { signIn } from '@/lib/auth';
import { signInRetryAfterMs } from '@/lib/auth/authenticate';
import { clientIp } from '@/lib/auth/client-ip';
import { signInSchema, signUpSchema } from '@/lib/auth/schemas';
import { signUpRefusal } from '@/lib/auth/sign-up-throttle';
import { createUser } from '@/lib/auth/users';
import { ActionError, actionClient } from '@/lib/safe-action';

const INVALID_CREDENTIALS = 'Email or password is incorrect.';

function retryMessage(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

async function signInWithPassword(email: string, password: string): Promise<void> {
  try {
    await signIn('credentials', { email, password, redirect: false });
  } catch (error) {
    if (!(error instanceof CredentialsSignin)) throw error;
    if (error.code === 'locked') {
      throw new ActionError(retryMessage(await signInRetryAfterMs(email, clientIp(await headers()))));
    }
    throw new ActionError(INVALID_CREDENTIALS);
  }
}

export const signInAction = actionClient.inputSchema(signInSchema).action(async ({ parsedInput }) => {
  await signInWithPassword(parsedInput.email, parsedInput.password);
  redirect('/');
});

export const signUpAction = actionClient.inputSchema(signUpSchema).action(async ({ parsedInput }) => {
  const refused = await signUpRefusal(clientIp(await headers()));
  if (refused) throw new ActionError(refused);
  const result = await createUser(parsedInput);
  if (!result.ok) {
    returnValidationErrors(signUpSchema, {
      email: { _errors: ['An account with this email already exists. Sign in instead.'] },
    });
  }
  await signInWithPassword(parsedInput.email, parsedInput.password);
  redirect('/');
});
