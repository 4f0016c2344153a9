import 'server-only';
import { ExchangeBudgetExhaustedError, ExchangeBudgetUnavailableError } from './budget-error';
import { allowanceFor } from './exchange-allowance';
import { budgetFor } from './policies';
import { logger } from '@/lib/log';

/**
 * What one loan of an exchange client used last time, per exchange and purpose, so the next
 * reservation is usually exact: one draw per loan instead of one per request.
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
 * from the exchange's installation-wide budget. The first request reserves as many calls as the same
 * work used last time; a request past the reservation reserves one more; `close` gives back what was
 * reserved and not used. History imports (purpose 'history') draw from a budget of their own
 * (`exchangeHistoryBudget`), so a backfill never slows a balance sync. Calls come from this process's allowance of the budget, which takes them
 * from the database in blocks (`exchange-allowance.ts`): most syncs of a busy process write nothing.
 */
export class BudgetReservation {
  private reserved = 0;
  private used = 0;
  /** The end of the budget window the reserved calls belong to. */
  private windowEndsAt = 0;
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
      const drawn = await allowanceFor(budgetFor(this.exchangeId, this.purpose), this.exchangeId)
        .draw(batch)
        .catch((error: unknown) => {
          throw new ExchangeBudgetUnavailableError(this.exchangeId, { cause: error });
        });
      if (!drawn.ok) throw new ExchangeBudgetExhaustedError(this.exchangeId, drawn.retryAfterMs);
      // A reservation that spans two windows keeps only the later one's calls to give back.
      if (drawn.windowEndsAt !== this.windowEndsAt) this.reserved = this.used;
      this.windowEndsAt = drawn.windowEndsAt;
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
    await allowanceFor(budgetFor(this.exchangeId, this.purpose), this.exchangeId)
      .credit(unused, this.windowEndsAt)
      .catch((error: unknown) => {
        logger.warn({ err: error, exchange: this.exchangeId, unused }, 'unused exchange budget calls not returned');
      });
  }
}

export { ExchangeBudgetExhaustedError } from './budget-error';
