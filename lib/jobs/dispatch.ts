import 'server-only';
import { inngest } from '@/lib/jobs/client';
import { logger } from '@/lib/log';

/**
 * The budget for reaching Inngest's event API. The SDK sets no timeout of its own (a peer that accepts
 * the connection and never answers hangs it for minutes) and retries 5 times, so we stop waiting after
 * this. Below 3 s so that "Sync now", with its few database round trips, answers within 3 s.
 */
export const INTERACTIVE_SEND_TIMEOUT_MS = 2_500;

export type DispatchResult = { ok: true; ids: string[] } | { ok: false; reason: 'timeout' | 'error' };

type SendPayload = Parameters<typeof inngest.send>[0];

/**
 * Sends events to Inngest, giving up after `timeoutMs`. Never throws. When it gives up, the SDK's
 * request may still complete later: callers make that harmless (a sync event whose run was cancelled
 * finds no queued run and does nothing).
 */
export async function dispatch(events: SendPayload, options: { timeoutMs?: number } = {}): Promise<DispatchResult> {
  const timeoutMs = options.timeoutMs ?? INTERACTIVE_SEND_TIMEOUT_MS;
  const names = (Array.isArray(events) ? events : [events]).map((event) => event.name).join(', ');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<DispatchResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), timeoutMs);
  });
  const sent = inngest.send(events).then(
    (result): DispatchResult => ({ ok: true, ids: result.ids }),
    (error: unknown): DispatchResult => {
      // Events carry ids only; the message is redacted anyway (it may name the event API's URL).
      logger.warn({ err: error, events: names }, 'could not send Inngest events');
      return { ok: false, reason: 'error' };
    },
  );
  const result = await Promise.race([sent, timedOut]);
  clearTimeout(timer);
  if (!result.ok && result.reason === 'timeout') {
    logger.warn({ events: names, timeoutMs }, 'gave up sending Inngest events');
  }
  return result;
}
