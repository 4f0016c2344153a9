import 'server-only';
import { ExchangeBudgetExhaustedError, ExchangeBudgetUnavailableError } from './budget-error';
import { giveBack, take } from './limiter';
import { exchangeBudget } from './policies';
import { logger } from '@/lib/log';

/**
 * What one loan of an exchange client used last time, per exchange and purpose, so the next
 * reservation is usually exact: one database round trip per loan instead of one per request.
 */
const lastUsed = new Map<string, number>();

let counting = true;

/**
 * For `npm run exchange:check` only: an operator's one-off check of a key (a handful of requests, from
 * wherever the operator runs it) opens no database, so this process does not draw from the
 * installation's budget.
 */
export function stopCountingExchangeRequests(): void {
  counting = false;
}

/**
 * Outbound requests of one piece of work (a balance read, a permission probe, a markets load), drawn
 * from the exchange's installation-wide budget in the database. The first request reserves as many
 * calls as the same work used last time; a request past the reservation reserves one more; `close`
 * gives back what was reserved and not used.
 */
export class BudgetReservation {
  private reserved = 0;
  private used = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly exchangeId: string,
    private readonly purpose: string,
  ) {}

  private get memoryKey(): string {
    return `${this.exchangeId}:${this.purpose}`;
  }

  /** Counts one request, reserving more first when needed; throws ExchangeBudgetExhaustedError when refused. */
  request(): Promise<void> {
    // One at a time, so parallel requests of one piece of work do not each reserve a batch.
    const next = this.pending.then(async () => {
      if (!counting) return;
      if (this.used < this.reserved) {
        this.used += 1;
        return;
      }
      const batch = this.reserved === 0 ? Math.max(1, lastUsed.get(this.memoryKey) ?? 1) : 1;
      const taken = await take(exchangeBudget(this.exchangeId), this.exchangeId, batch).catch((error: unknown) => {
        throw new ExchangeBudgetUnavailableError(this.exchangeId, { cause: error });
      });
      if (!taken.ok) throw new ExchangeBudgetExhaustedError(this.exchangeId, taken.retryAfterMs);
      this.reserved += batch;
      this.used += 1;
    });
    this.pending = next.catch(() => {});
    return next;
  }

  /** Remembers how many requests this work made and returns the calls reserved but not made. */
  async close(): Promise<void> {
    await this.pending;
    if (this.used > 0) lastUsed.set(this.memoryKey, this.used);
    const unused = this.reserved - this.used;
    if (unused <= 0) return;
    // Returning unused calls is a courtesy to other work: failing to is no reason to fail this one.
    await giveBack(exchangeBudget(this.exchangeId), this.exchangeId, unused).catch((error: unknown) => {
      logger.warn({ err: error, exchange: this.exchangeId, unused }, 'unused exchange budget calls not returned');
    });
  }
}

export { ExchangeBudgetExhaustedError } from './budget-error';
