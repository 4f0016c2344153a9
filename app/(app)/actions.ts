'use server';

import { redirect } from 'next/navigation';
import { returnValidationErrors } from 'next-safe-action';
import { z } from 'zod';
import { signIn, signOut } from '@/lib/auth';
import { changePasswordSchema } from '@/lib/auth/schemas';
import { changePassword, endAllSessions } from '@/lib/auth/users';
import { actionClient, authActionClient } from '@/lib/safe-action';

export const signOutAction = actionClient.inputSchema(z.object({}).strict()).action(async () => {
  await signOut({ redirect: false });
  redirect('/sign-in');
});

export const signOutEverywhereAction = authActionClient.inputSchema(z.object({}).strict()).action(async ({ ctx }) => {
  await endAllSessions(ctx.user.id);
  await signOut({ redirect: false });
  redirect('/sign-in');
});

export const changePasswordAction = authActionClient
  .inputSchema(changePasswordSchema)
  .action(async ({ parsedInput, ctx }) => {
    const result = await changePassword(ctx.user.id, parsedInput.currentPassword, parsedInput.newPassword);
    if (!result.ok) {
      returnValidationErrors(changePasswordSchema, {
        currentPassword: { _errors: ['Your current password is not correct.'] },
      });
    }
    // Every other session has just ended; give this device a fresh one so the user stays signed in here.
    await signIn('credentials', { email: ctx.user.email, password: parsedInput.newPassword, redirect: false });
    return { changed: true };
  });
