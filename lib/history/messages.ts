import { CREDENTIALS_UNREADABLE_STATE } from '@/lib/sync/failure-kinds';

// What the connection page says about a history import that stopped, in plain English. Each one is
// stored in history_imports.last_error as is: none of them carries anything from the exchange.

export const HISTORY_DISCONNECTED = 'This connection was disconnected, so its history import stopped.';
export const HISTORY_DISABLED = 'This connection is disabled, so its history was not imported.';
export const HISTORY_CREDENTIALS_UNREADABLE = `${CREDENTIALS_UNREADABLE_STATE}. Enter the API key again to resume importing history.`;
export const HISTORY_UNREADABLE_ANSWER =
  'The exchange sent history we could not read. Nothing of that page was saved; we will try again.';
export const HISTORY_UNEXPECTED = 'The history import stopped on an unexpected error. It will try again later.';
export const HISTORY_NO_KEYS = 'This connection has no stored API key, so its history cannot be imported.';
