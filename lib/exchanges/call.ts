import type { Exchange } from 'ccxt';
import { RETRY_AFTER, retryAfterFromHeaders } from './errors';

/**
 * Runs exchange calls on one client; a thrown error gets the response's Retry-After attached, so
 * the classifier can say when to try again. The client itself never leaves this function's caller.
 */
export async function withClient<T>(client: Exchange, run: (client: Exchange) => Promise<T>): Promise<T> {
  try {
    return await run(client);
  } catch (error) {
    const retryAfter = retryAfterFromHeaders(
      (client as unknown as { last_response_headers?: Record<string, string> }).last_response_headers,
    );
    if (retryAfter !== undefined && error && typeof error === 'object') {
      Object.defineProperty(error, RETRY_AFTER, { value: retryAfter, enumerable: false });
    }
    throw error;
  }
}
