'use server';

import { z } from 'zod';
import { connectExchange } from '@/lib/connections/connect';
import { disconnect } from '@/lib/connections/disconnect';
import {
  connectExchangeSchema,
  disconnectSchema,
  syncNowSchema,
  testConnectionSchema,
  updateConnectionSchema,
} from '@/lib/connections/schemas';
import { syncAll, syncNow } from '@/lib/connections/sync-now';
import { testConnection } from '@/lib/connections/test-connection';
import { updateConnection } from '@/lib/connections/update';
import { toConnectionView } from '@/lib/connections/view';
import { authActionClient } from '@/lib/safe-action';

// Each action reads `schema → auth → one call into lib/connections`. The schema is the action's whole
// input: a malformed field comes back as next-safe-action's validationErrors, keyed by field path, and
// lib/connections only answers `{ ok: false, message, fieldErrors }` for what needs the exchange
// catalogue, the database or the exchange itself (unknown exchange, duplicate key, withdraw permission…).
// The user id comes from the session (authActionClient), never from the input.

export const testConnectionAction = authActionClient
  .inputSchema(testConnectionSchema)
  .action(({ parsedInput, ctx }) => testConnection(ctx.user.id, parsedInput));

export const connectExchangeAction = authActionClient
  .inputSchema(connectExchangeSchema)
  .action(async ({ parsedInput, ctx }) => {
    const result = await connectExchange(ctx.user.id, parsedInput);
    return result.ok ? { ...result, connection: toConnectionView(result.connection) } : result;
  });

export const syncNowAction = authActionClient
  .inputSchema(syncNowSchema)
  .action(({ parsedInput, ctx }) => syncNow(ctx.user.id, parsedInput.connectionId));

export const syncAllAction = authActionClient
  .inputSchema(z.object({}).strict())
  .action(({ ctx }) => syncAll(ctx.user.id));

export const updateConnectionAction = authActionClient
  .inputSchema(updateConnectionSchema)
  .action(async ({ parsedInput: { connectionId, ...changes }, ctx }) => {
    const result = await updateConnection(ctx.user.id, connectionId, changes);
    return result.ok ? { ...result, connection: toConnectionView(result.connection) } : result;
  });

export const disconnectAction = authActionClient
  .inputSchema(disconnectSchema)
  .action(({ parsedInput: { connectionId, ...choice }, ctx }) => disconnect(ctx.user.id, connectionId, choice));
