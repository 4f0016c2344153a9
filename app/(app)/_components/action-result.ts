import type { Failure } from '@/lib/connections/result';

export const GENERIC_FAILURE_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

/** The parts of a next-safe-action answer the forms read. */
interface SafeActionAnswer<Data> {
  data?: Data;
  serverError?: string;
  validationErrors?: unknown;
}

/**
 * One shape for every answer of the exchange actions: the action's own Result when it ran, otherwise a
 * Failure carrying the server error (e.g. "Your session has ended…"), so callers handle a single union.
 */
export function toResult<Data extends { ok: boolean }>(answer: SafeActionAnswer<Data> | undefined): Data | Failure {
  if (answer?.data) return answer.data;
  if (answer?.serverError) return { ok: false, message: answer.serverError };
  // The actions' envelope schemas only reject what the forms never send (a missing connection id).
  return { ok: false, message: GENERIC_FAILURE_MESSAGE };
}
