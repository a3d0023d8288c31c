import { describe, expect, it } from "vitest";
import { parseIpAddress, parseIpRange, type IpRange } from "../../src/lib/ip-ranges";
import { IpRuleCache, type IpRuleSource } from "../../src/services/ip-rule-cache";
import type { ActiveIpRule } from "../../src/services/ip-rules";

const TTL_MS = 30_000;
const RETRY_MS = 5000;
const deny = (cidr: string): ActiveIpRule => ({ range: parseIpRange(cidr) as IpRange, action: "deny", expiresAt: null });
const client = parseIpAddress("203.0.113.9")!;

/** A source whose reads the test settles by hand, recording what the cache asked of it. */
function source() {
  const reads: Array<{ resolve: (rules: ActiveIpRule[]) => void; reject: (error: unknown) => void }> = [];
  const kept: Array<Promise<unknown>> = [];
  const stale: unknown[] = [];
  const of: IpRuleSource = {
    read: () => new Promise((resolve, reject) => reads.push({ resolve, reject })),
    keepAlive: (work) => kept.push(work),
    onStale: (error) => stale.push(error),
  };
  return { of, reads, kept, stale };
}

function cache() {
  let now = 0;
  const instance = new IpRuleCache({ ttlMs: TTL_MS, retryMs: RETRY_MS, clock: () => now });
  return { instance, advance: (ms: number) => (now += ms) };
}

describe("IpRuleCache", () => {
  it("has one read serve every request that needs the rules meanwhile, kept alive by the request that started it", async () => {
    const { instance } = cache();
    const { of, reads, kept } = source();
    const waiting = [instance.current(of), instance.current(of), instance.current(of)];
    await Promise.resolve();
    expect(reads).toHaveLength(1);
    expect(kept).toHaveLength(1);
    reads[0]!.resolve([deny("203.0.113.0/24")]);
    for (const rules of await Promise.all(waiting)) expect(rules.deny.includes(client)).toBe(true);
    await expect(kept[0]).resolves.toBeUndefined();
  });

  it("keeps a failed read's request alive without failing its waitUntil", async () => {
    const { instance } = cache();
    const { of, reads, kept } = source();
    const waiting = instance.current(of);
    await Promise.resolve();
    reads[0]!.reject(new Error("database down"));
    await expect(waiting).rejects.toThrow("database down");
    await expect(kept[0]).resolves.toBeUndefined();
  });

  it("does not keep what a read forgotten meanwhile returns: it may predate the change that forgot it", async () => {
    const { instance } = cache();
    const { of, reads } = source();
    const before = instance.current(of);
    await Promise.resolve();
    instance.forget();
    const after = instance.current(of);
    await Promise.resolve();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve([deny("203.0.113.0/24")]);
    reads[0]!.resolve([]);
    expect((await before).deny.size).toBe(0);
    expect((await after).deny.includes(client)).toBe(true);
    expect((await instance.current(of)).deny.includes(client)).toBe(true);
    expect(reads).toHaveLength(2);
  });

  it("applies the last rules read after a failed read, and tries again only after retryMs", async () => {
    const { instance, advance } = cache();
    const { of, reads, stale } = source();
    const first = instance.current(of);
    await Promise.resolve();
    reads[0]!.resolve([deny("203.0.113.0/24")]);
    await first;
    advance(TTL_MS);
    const during = instance.current(of);
    await Promise.resolve();
    reads[1]!.reject(new Error("database down"));
    expect((await during).deny.includes(client)).toBe(true);
    expect(stale).toHaveLength(1);
    advance(RETRY_MS - 1);
    await instance.current(of);
    expect(reads).toHaveLength(2);
    advance(1);
    const next = instance.current(of);
    await Promise.resolve();
    expect(reads).toHaveLength(3);
    reads[2]!.resolve([]);
    expect((await next).deny.size).toBe(0);
  });
});
