'use server';

import { z } from 'zod';
import { connectExchange } from '@/lib/connections/connect';
import { disconnect } from '@/lib/connections/disconnect';
import { syncAll, syncNow } from '@/lib/connections/sync-now';
import { testConnection } from '@/lib/connections/test-connection';
import { updateConnection } from '@/lib/connections/update';
import type {
  ConnectExchangeInput,
  DisconnectInput,
  TestConnectionInput,
  UpdateConnectionInput,
} from '@/lib/connections/schemas';
import { toConnectionView } from '@/lib/connections/view';
import { authActionClient } from '@/lib/safe-action';

// Each action reads `schema → auth → one call into lib/connections`. The schemas here only fix the
// envelope (an object, a connection id as text); lib/connections parses the fields with zod and
// answers `{ ok: false, message, fieldErrors }` naming each field, which the forms show in place.
// The user id comes from the session (authActionClient), never from the input.

const fields = z.looseObject({});
const forConnection = z.looseObject({ connectionId: z.string({ error: 'Connection id is required.' }) });

export const testConnectionAction = authActionClient
  .inputSchema(fields)
  .action(({ parsedInput, ctx }) => testConnection(ctx.user.id, parsedInput as TestConnectionInput));

export const connectExchangeAction = authActionClient.inputSchema(fields).action(async ({ parsedInput, ctx }) => {
  const result = await connectExchange(ctx.user.id, parsedInput as ConnectExchangeInput);
  return result.ok ? { ...result, connection: toConnectionView(result.connection) } : result;
});

export const syncNowAction = authActionClient
  .inputSchema(forConnection)
  .action(({ parsedInput, ctx }) => syncNow(ctx.user.id, parsedInput.connectionId));

export const syncAllAction = authActionClient
  .inputSchema(z.object({}).strict())
  .action(({ ctx }) => syncAll(ctx.user.id));

export const updateConnectionAction = authActionClient
  .inputSchema(forConnection)
  .action(async ({ parsedInput: { connectionId, ...changes }, ctx }) => {
    const result = await updateConnection(ctx.user.id, connectionId, changes as UpdateConnectionInput);
    return result.ok ? { ...result, connection: toConnectionView(result.connection) } : result;
  });

export const disconnectAction = authActionClient
  .inputSchema(forConnection)
  .action(({ parsedInput: { connectionId, ...choice }, ctx }) =>
    disconnect(ctx.user.id, connectionId, choice as DisconnectInput),
  );
