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
