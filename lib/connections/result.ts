/**
 * What every server function in lib/connections answers. A failure carries one sentence for the user
 * and, for form input, one message per field (keys are the form's field paths, e.g. `label` or
 * `credentials.apiKey`). Nothing in either ever contains a key, a ciphertext or an exchange's raw answer.
 */
export interface Failure {
  ok: false;
  message: string;
  fieldErrors?: Record<string, string>;
  /**
   * The credential the exchange refused (e.g. `credentials.password` for KuCoin's wrong passphrase), for
   * the form to mark. Apart from fieldErrors, which are input refused before any exchange call.
   */
  refusedField?: { path: string; message: string };
  /** The user's own connection that already holds this key: the form links to its Update keys. */
  existingConnection?: { id: string; label: string };
}

export type Result<T extends object = object> = ({ ok: true } & T) | Failure;

export const NOT_FOUND_MESSAGE = 'Connection not found.';
export const INVALID_INPUT_MESSAGE = 'Check the highlighted fields.';
export const UNREACHABLE_MESSAGE = 'Background sync service is unreachable. Try again in a moment.';

export function failure(message: string, fieldErrors?: Record<string, string>): Failure {
  return fieldErrors && Object.keys(fieldErrors).length > 0
    ? { ok: false, message, fieldErrors }
    : { ok: false, message };
}

/** Another user's connection and a connection that never existed get the same answer. */
export function notFound(): Failure {
  return { ok: false, message: NOT_FOUND_MESSAGE };
}
