'use server';

import { addManualStream } from '@/lib/history/add-stream';
import { getHistoryProgress } from '@/lib/history/progress';
import { addMarketSchema, historyProgressSchema } from '@/lib/history/schemas';
import { authActionClient } from '@/lib/safe-action';

// schema → auth → one call into lib/history; the user id comes from the session, never the input.

export const addMarketAction = authActionClient
  .inputSchema(addMarketSchema)
  .action(({ parsedInput, ctx }) => addManualStream(ctx.user.id, parsedInput.connectionId, parsedInput.stream));

/** The import's progress, polled by the connection page while an import runs. */
export const historyProgressAction = authActionClient
  .inputSchema(historyProgressSchema)
  .action(async ({ parsedInput, ctx }) => ({
    ok: true as const,
    progress: await getHistoryProgress(ctx.user.id, parsedInput.connectionId),
  }));
