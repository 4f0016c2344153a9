import 'server-only';
import { getDb, type Database } from '@/db';
import { giveBack, reserve, type LimitPolicy, type Taken } from './limiter';

/** The share of a window's budget one process may hold ahead of need. */
const MAX_BLOCK_SHARE = 0.05;

/** Windows last whole seconds, so ends this close are one window's. */
const SAME_WINDOW_MS = 500;

type Refused = Extract<Taken, { ok: false }>;

/** Calls drawn from an allowance: ok with the end of the window they belong to, or refused. */
export type Drawn = { ok: true; windowEndsAt: number } | Refused;

/**
 * This process's part of one exchange budget window, taken from the database in blocks: the database
 * stays the one count every process shares (a block is one atomic upsert), but a busy process writes
 * it once per block instead of once per sync. A block is sized by the calls this process asked for in
 * the last second, at most 5% of the window's budget and never more than the window had left at the
 * last take, so an idle process holds at most a few calls and a busy one at most a twentieth of the
 * budget until the window ends. Calls left in a block when its window ends are simply not used.
 */
class Allowance {
  private remaining = 0;
  private windowEndsAt = 0;
  /** What the database had left at the last take (for this window), or undefined before one. */
  private leftInWindow: number | undefined;
  /** Past a refused block, until its window ends: every draw takes exactly its own calls, as without an allowance. */
  private exactUntil = 0;
  private refill: Promise<Refused | null> | undefined;
  private waiting = 0;
  private second = 0;
  private askedThisSecond = 0;
  private askedLastSecond = 0;

  constructor(
    private readonly policy: LimitPolicy,
    private readonly subject: string,
    private readonly db: Database,
  ) {}

  async draw(calls: number): Promise<Drawn> {
    this.noteAsked(calls);
    for (;;) {
      if (Date.now() < this.windowEndsAt && this.remaining >= calls) {
        this.remaining -= calls;
        return { ok: true, windowEndsAt: this.windowEndsAt };
      }
      if (Date.now() < this.exactUntil) return this.takeExactly(calls);
      this.waiting += calls;
      const refill = (this.refill ??= this.takeBlock().finally(() => (this.refill = undefined)));
      const refused = await refill.finally(() => (this.waiting -= calls));
      if (refused) return refused;
    }
  }

  /** Calls drawn and not made: back to this process's allowance while their window lasts. */
  async credit(calls: number, windowEndsAt: number): Promise<void> {
    if (calls <= 0 || Date.now() >= windowEndsAt) return;
    if (windowEndsAt === this.windowEndsAt) this.remaining += calls;
    else await giveBack(this.policy, this.subject, calls, this.db);
  }

  /** Near the end of the budget: every draw its own take, as without an allowance. */
  private async takeExactly(calls: number): Promise<Drawn> {
    const taken = await reserve(this.policy, this.subject, calls, this.db);
    return taken.ok ? { ok: true, windowEndsAt: taken.windowEndsAt } : taken;
  }

  private noteAsked(calls: number): void {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.second) {
      this.askedLastSecond = second === this.second + 1 ? this.askedThisSecond : 0;
      this.askedThisSecond = 0;
      this.second = second;
    }
    this.askedThisSecond += calls;
  }

  private blockSize(now: number): number {
    const needed = Math.max(1, this.waiting);
    const cap = Math.max(1, Math.floor(this.policy.points * MAX_BLOCK_SHARE));
    const demand = Math.max(this.askedLastSecond, this.askedThisSecond);
    const sameWindow = now < this.windowEndsAt && this.leftInWindow !== undefined;
    const left = sameWindow ? this.leftInWindow! : this.policy.points;
    return Math.max(needed, Math.min(cap, demand, left));
  }

  /** Takes a block for the draws waiting; answers a refusal, or null when they should look again. */
  private async takeBlock(): Promise<Refused | null> {
    const now = Date.now();
    const needed = Math.max(1, this.waiting);
    const block = this.blockSize(now);
    const taken = await reserve(this.policy, this.subject, block, this.db);
    if (taken.ok) {
      // The window's end is read as "now + ms left", so two takes in one window differ by a few ms.
      if (now >= this.windowEndsAt || taken.windowEndsAt - this.windowEndsAt > SAME_WINDOW_MS) {
        this.remaining = 0;
        this.windowEndsAt = taken.windowEndsAt;
      }
      this.remaining += block;
      this.leftInWindow = taken.remaining;
      return null;
    }
    if (block > needed) {
      // Refused only for the calls asked ahead of need: those go back, so they count against no other
      // process, and until the window ends every draw takes exactly its own calls.
      await giveBack(this.policy, this.subject, block, this.db);
      this.exactUntil = now + taken.retryAfterMs;
      return null;
    }
    return taken;
  }
}

const allowances = new WeakMap<Database, Map<string, Allowance>>();

/** This process's allowance of `policy` for `subject`, per database (tests point the app at a new one per file). */
export function allowanceFor(policy: LimitPolicy, subject: string, db: Database = getDb()): Allowance {
  let byKey = allowances.get(db);
  if (!byKey) allowances.set(db, (byKey = new Map()));
  const key = `${policy.name}|${policy.points}|${policy.windowSeconds}|${subject}`;
  let allowance = byKey.get(key);
  if (!allowance) byKey.set(key, (allowance = new Allowance(policy, subject, db)));
  return allowance;
}
