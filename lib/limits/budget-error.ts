import { tryAgainIn } from './try-again';

/** Thrown by an exchange request that the installation's budget for that exchange has no room for. */
export class ExchangeBudgetExhaustedError extends Error {
  override name = 'ExchangeBudgetExhaustedError';
  constructor(
    readonly exchangeId: string,
    readonly retryAfterMs: number,
  ) {
    super(
      `Coinsphere has made as many requests to ${exchangeId} as this installation allows for now. ` +
        tryAgainIn(retryAfterMs),
    );
  }
}
