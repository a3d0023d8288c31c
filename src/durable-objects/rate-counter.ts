import { DurableObject } from "cloudflare:workers";
import { evaluate, evaluateLease, type CounterState, type LeaseEvaluation } from "../lib/rate-algorithms";
import { checkCost, checkLeaseSize, checkTime, parseRatePolicy, policyKey, type RateDecision, type RateLease, type RatePolicy } from "../lib/rate-policy";

/**
 * How far the callers' clocks (other isolates, other machines) may run ahead of this object's: the
 * clean-up alarm waits this long past a counter's reset before it forgets the counter.
 */
const CLOCK_SKEW_MS = 60_000;

interface CounterRow extends Record<string, SqlStorageValue> {
  state: string;
  seen_at: number;
}

/**
 * Exact rate counters for one limited key (callers address it with `idFromName(key)`, so the key
 * space shards itself): one row per policy in this object's SQLite storage, so counts survive
 * eviction. Each call reads and writes its row with no `await` in between, and the object is
 * single-threaded, so no other call runs in between: N concurrent consumes against a limit of L
 * allow exactly L. Times are the caller's (`now`, in ms, from its injectable clock), so tests move
 * time instead of waiting; the object's own clock only decides when to clean up.
 */
export class RateCounter extends DurableObject<Env> {
  /** False until the first write, and again once everything is deleted: a key only peeked at stores nothing. */
  #hasTable: boolean;
  /** The clean-up alarm as last set, so a consume does not write the alarm again while one is due. */
  #alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#hasTable = ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'counters'").toArray().length > 0;
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Takes `cost` units (default 1) when the policy allows them at `now`; a refused consume changes nothing. */
  async consume(policy: RatePolicy, cost = 1, now = Date.now()): Promise<RateDecision> {
    const checked = parseRatePolicy(policy);
    checkCost(checked, cost);
    return (await this.#take(checked, cost, cost, now)).decision;
  }

  /**
   * Takes at least `cost` and up to `upTo` units in one call, as many as the policy has left at
   * `now`, for a caller to spend on its next requests (a lease); refuses, changing nothing, when
   * fewer than `cost` are left. Granted units are counted here at once: a unit is never granted twice.
   */
  async lease(policy: RatePolicy, cost: number, upTo: number, now = Date.now()): Promise<RateLease> {
    const checked = parseRatePolicy(policy);
    checkLeaseSize(checked, cost, upTo);
    const { decision, granted, spendBy } = await this.#take(checked, cost, upTo, now);
    return { ...decision, granted, spendBy };
  }

  /** Whether one unit would be allowed at `now`, and what is left, without consuming anything. */
  peek(policy: RatePolicy, now = Date.now()): RateDecision {
    const checked = parseRatePolicy(policy);
    checkTime(now);
    const row = this.#read(policyKey(checked));
    const at = Math.max(now, row?.seen_at ?? 0);
    return evaluate(checked, row && (JSON.parse(row.state) as CounterState), 1, at, false).decision;
  }

  /** Forgets the key under every policy. */
  async reset(): Promise<void> {
    this.#hasTable = false;
    this.#alarmAt = null;
    // With compatibility date 2026-02-24 or later, this deletes the alarm too.
    await this.ctx.storage.deleteAll();
  }

  /** Forgets counters that are back to their full limit, so an idle key keeps no data. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    if (!this.#hasTable) return;
    this.ctx.storage.sql.exec("DELETE FROM counters WHERE expires_at <= ?", Date.now() - CLOCK_SKEW_MS);
    await this.#scheduleCleanUp();
  }

  async #take(policy: RatePolicy, cost: number, upTo: number, now: number): Promise<LeaseEvaluation> {
    checkTime(now);
    const key = policyKey(policy);
    const row = this.#read(key);
    // A caller whose clock lags another's must not move the counter back in time.
    const at = Math.max(now, row?.seen_at ?? 0);
    const evaluation = evaluateLease(policy, row && (JSON.parse(row.state) as CounterState), cost, upTo, at);
    if (evaluation.next) {
      this.#write(key, evaluation.next, at, evaluation.decision.resetAt);
      await this.#scheduleCleanUp();
    }
    return evaluation;
  }

  #read(key: string): CounterRow | undefined {
    if (!this.#hasTable) return undefined;
    return this.ctx.storage.sql.exec<CounterRow>("SELECT state, seen_at FROM counters WHERE policy = ?", key).toArray()[0];
  }

  #write(key: string, state: CounterState, seenAt: number, expiresAt: number): void {
    if (!this.#hasTable) {
      this.ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS counters (policy TEXT PRIMARY KEY, state TEXT NOT NULL, seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
      );
      this.#hasTable = true;
    }
    this.ctx.storage.sql.exec(
      "INSERT INTO counters (policy, state, seen_at, expires_at) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (policy) DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at, expires_at = excluded.expires_at",
      key,
      JSON.stringify(state),
      seenAt,
      expiresAt,
    );
  }

  /** Sets the alarm for the next counter to expire, or deletes everything when none is left. */
  async #scheduleCleanUp(): Promise<void> {
    const { next } = this.ctx.storage.sql.exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM counters").one();
    if (next === null) return this.reset();
    const at = next + CLOCK_SKEW_MS;
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}
