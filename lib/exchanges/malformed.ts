/**
 * Thrown when an exchange answered 200 with something that is not the data we asked for (HTML,
 * truncated JSON, an empty body). ccxt returns an empty balance in that case, which would wipe a
 * portfolio, so the read must fail instead.
 */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
}

/** Checks that a ccxt balance (or any parsed answer) came from a real JSON object. */
export function assertParsed(info: unknown, what: string): void {
  if (info === null || typeof info !== 'object') {
    throw new MalformedResponseError(`The exchange sent an unreadable answer for ${what}.`);
  }
}
