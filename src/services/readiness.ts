import type { Clock } from "../lib/clock";

export type DependencyName = "database" | "redis";

export interface DependencyStatus {
  name: DependencyName;
  ok: boolean;
  latencyMs: number;
}

export interface ReadinessProbes {
  database: (timeoutMs: number) => Promise<unknown>;
  /** Absent when Redis is not configured. */
  redis?: (timeoutMs: number) => Promise<unknown>;
}

/** Checks every configured dependency in parallel, each bounded by `timeoutMs`. */
export async function checkReadiness(probes: ReadinessProbes, timeoutMs = 2000): Promise<DependencyStatus[]> {
  const entries = Object.entries(probes).filter((entry): entry is [DependencyName, ReadinessProbes["database"]] => Boolean(entry[1]));
  return Promise.all(entries.map(([name, probe]) => measure(name, () => probe(timeoutMs), timeoutMs)));
}

async function measure(name: DependencyName, probe: () => Promise<unknown>, timeoutMs: number): Promise<DependencyStatus> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} timed out`)), timeoutMs);
  });
  const probing = probe();
  // A probe that loses the race still settles later; its rejection must not go unhandled.
  probing.catch(() => {});
  try {
    await Promise.race([probing, timeout]);
    return { name, ok: true, latencyMs: Date.now() - started };
  } catch {
    return { name, ok: false, latencyMs: Date.now() - started };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** How long an isolate reuses its last readiness result: /ready is public and must not load the database. */
export const READINESS_CACHE_MS = 5000;

/**
 * One isolate's last readiness result, reused for `ttlMs`. Keyed by the dependencies it checked (the
 * same for a whole isolate in production; tests switch between stacks).
 */
export class ReadinessCache {
  #entry: { key: string; checkedAt: number; checks: DependencyStatus[] } | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  /** The cached result for `key` while fresh, otherwise the result of `check`, then cached. */
  async get(key: string, check: () => Promise<DependencyStatus[]>): Promise<{ checks: DependencyStatus[]; fresh: boolean }> {
    const entry = this.#entry;
    if (entry && entry.key === key && this.clock() - entry.checkedAt < this.ttlMs) return { checks: entry.checks, fresh: false };
    const checks = await check();
    this.#entry = { key, checkedAt: this.clock(), checks };
    return { checks, fresh: true };
  }
}
