import type { Clock } from "../lib/clock";
import type { IpRules } from "../lib/ip-access";
import { compileIpRules, type ActiveIpRule } from "./ip-rules";
import { ownPromise } from "../lib/own-promise";
import { DependencyUnavailableError } from "../lib/errors";

export interface IpRuleCacheOptions {
  /** How long rules read from the database are applied before they are read again. */
  ttlMs: number;
  /** After a failed read, how long the last rules read stay in force before the next attempt. */
  retryMs: number;
  clock: Clock;
}

/** How the request that needs the rules has them read. */
export interface IpRuleSource {
  read(): Promise<ActiveIpRule[]>;
  /** Keeps the request that started a read alive until the read settles (`ctx.waitUntil`). */
  keepAlive(work: Promise<unknown>): void;
  /** A read failed and the last rules read stay in force until the next attempt. */
  onStale(error: unknown): void;
}

interface Entry {
  rules: readonly ActiveIpRule[];
  /** When the database is read again. */
  refreshAt: number;
  /** The rules in force, as allow and deny lists. */
  compiled: IpRules;
  /** When the next of `rules` expires, and `compiled` is rebuilt without it. */
  compiledUntil: number;
}

/**
 * One isolate's copy of the admins' IP rules: read from the database at most once per TTL, by one
 * request while the others that need it wait for that read. A rule that expires meanwhile stops
 * applying at its expiry, without a read. When a read fails, the last rules read stay in force and
 * the next read is tried `retryMs` later; with none read yet, the failure is the request's.
 */
export class IpRuleCache {
  #entry: Entry | undefined;
  #reading: Promise<Entry> | undefined;

  constructor(private readonly options: IpRuleCacheOptions) {}

  /** The admins' rules in force now. */
  async current(source: IpRuleSource): Promise<IpRules> {
    let entry = this.#entry;
    if (!entry || this.options.clock() >= entry.refreshAt) entry = await ownPromise((this.#reading ??= this.#read(source)), () => new DependencyUnavailableError("database", "timeout"));
    const now = this.options.clock();
    if (now >= entry.compiledUntil) Object.assign(entry, compile(entry.rules, now));
    return entry.compiled;
  }

  /** Drops the rules and any read under way: the next request reads them afresh (after a change). */
  forget(): void {
    this.#entry = undefined;
    this.#reading = undefined;
  }

  #read(source: IpRuleSource): Promise<Entry> {
    const started = this.options.clock();
    const reading: Promise<Entry> = source
      .read()
      .then(
        (rules) => {
          const entry = { rules, refreshAt: started + this.options.ttlMs, ...compile(rules, this.options.clock()) };
          // A read that `forget()` dropped may predate the change that dropped it: its waiters use it, the cache does not.
          if (this.#reading === reading) this.#entry = entry;
          return entry;
        },
        (error: unknown) => {
          const entry = this.#entry;
          if (!entry) throw error;
          if (this.#reading === reading) {
            entry.refreshAt = this.options.clock() + this.options.retryMs;
            source.onStale(error);
          }
          return entry;
        },
      )
      .finally(() => {
        if (this.#reading === reading) this.#reading = undefined;
      });
    // Other requests wait on this read (through promises of their own, see ownPromise): were its
    // request to end first (a client that hangs up), the read would never settle. waitUntil keeps
    // that request until it does.
    source.keepAlive(reading.then(settled, settled));
    return reading;
  }
}

const settled = () => {};

function compile(rules: readonly ActiveIpRule[], now: number): Pick<Entry, "compiled" | "compiledUntil"> {
  let compiledUntil = Number.POSITIVE_INFINITY;
  for (const { expiresAt } of rules) if (expiresAt !== null && expiresAt > now && expiresAt < compiledUntil) compiledUntil = expiresAt;
  return { compiled: compileIpRules(rules, now), compiledUntil };
}
