import { INVALID_INPUT_MESSAGE, type Failure } from '@/lib/connections/result';

export const GENERIC_FAILURE_MESSAGE = 'Something went wrong on our side. Try again in a moment.';

/** The parts of a next-safe-action answer the forms read. */
interface SafeActionAnswer<Data> {
  data?: Data;
  serverError?: string;
  validationErrors?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const firstString = (value: unknown): string | undefined =>
  Array.isArray(value) ? value.find((item): item is string => typeof item === 'string' && item !== '') : undefined;

/**
 * One message per field path (`connectionId`, `credentials.apiKey`; `form` for the input as a whole,
 * as lib/connections words its own fieldErrors), from either next-safe-action shape: "formatted"
 * (`{ _errors, field: { _errors } }`, nested) or "flattened" (`{ formErrors, fieldErrors }`).
 */
function fieldErrorsOf(validationErrors: unknown): Record<string, string> {
  const fieldErrors: Record<string, string> = {};
  if (!isRecord(validationErrors)) return fieldErrors;

  if (Array.isArray(validationErrors.formErrors) && isRecord(validationErrors.fieldErrors)) {
    const form = firstString(validationErrors.formErrors);
    if (form) fieldErrors.form = form;
    for (const [field, messages] of Object.entries(validationErrors.fieldErrors)) {
      const message = firstString(messages);
      if (message) fieldErrors[field] ??= message;
    }
    return fieldErrors;
  }

  const walk = (node: unknown, path: string[]) => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, String(index)]));
      return;
    }
    if (!isRecord(node)) return;
    const message = firstString(node._errors);
    if (message) fieldErrors[path.length > 0 ? path.join('.') : 'form'] ??= message;
    for (const [key, child] of Object.entries(node)) {
      if (key !== '_errors') walk(child, [...path, key]);
    }
  };
  walk(validationErrors, []);
  return fieldErrors;
}

/**
 * The answer to input the action's schema refused, shaped like lib/connections' own failures: every
 * field's message for the form to place, and one sentence for the form's alert or a toast — the
 * message itself when one field is wrong (the connection schemas name their field in every message),
 * else the same "Check the highlighted fields." lib/connections answers for several.
 */
function validationFailure(validationErrors: unknown): Failure {
  const fieldErrors = fieldErrorsOf(validationErrors);
  const messages = Object.values(fieldErrors);
  if (messages.length === 0) return { ok: false, message: GENERIC_FAILURE_MESSAGE };
  return { ok: false, message: messages.length === 1 ? messages[0]! : INVALID_INPUT_MESSAGE, fieldErrors };
}

/**
 * One shape for every answer of the exchange actions: the action's own Result when it ran, otherwise a
 * Failure carrying the server error (e.g. "Your session has ended…") or the input the action's schema
 * refused (see validationFailure), so callers handle one union.
 */
export function toResult<Data extends { ok: boolean }>(answer: SafeActionAnswer<Data> | undefined): Data | Failure {
  if (answer?.data) return answer.data;
  if (answer?.serverError) return { ok: false, message: answer.serverError };
  if (answer?.validationErrors) return validationFailure(answer.validationErrors);
  // No answer at all: the request failed (network) or the action returned nothing.
  return { ok: false, message: GENERIC_FAILURE_MESSAGE };
}
