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

/**
 * Thrown when the budget could not be read (the database did not answer): the request does not go
 * out, and nothing of the database's error — query text, parameters — reaches the user or last_error.
 */
export class ExchangeBudgetUnavailableError extends Error {
  override name = 'ExchangeBudgetUnavailableError';
  constructor(
    readonly exchangeId: string,
    options?: ErrorOptions,
  ) {
    super('Coinsphere could not check its request budget for this exchange (its database did not answer).', options);
  }
}
