import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/lib/ttl-cache";

function cache(maxEntries = 3, ttlMs = 1000) {
  let now = 0;
  const instance = new TtlCache<string, number>({ maxEntries, ttlMs, clock: () => now });
  return { instance, advance: (ms: number) => (now += ms) };
}

describe("TtlCache", () => {
  it("serves a value until its time to live has passed, then forgets it", () => {
    const { instance, advance } = cache();
    instance.set("a", 1);
    advance(999);
    expect(instance.get("a")).toBe(1);
    advance(1);
    expect(instance.get("a")).toBeUndefined();
    expect(instance.size).toBe(0);
  });

  it("keeps at most maxEntries, dropping the least recently used", () => {
    const { instance } = cache(2);
    instance.set("a", 1);
    instance.set("b", 2);
    expect(instance.get("a")).toBe(1);
    instance.set("c", 3);
    expect(instance.get("b")).toBeUndefined();
    expect(instance.get("a")).toBe(1);
    expect(instance.get("c")).toBe(3);
    expect(instance.size).toBe(2);
  });

  it("restarts an entry's time to live when it is set again, and forgets it on delete", () => {
    const { instance, advance } = cache();
    instance.set("a", 1);
    advance(800);
    instance.set("a", 2);
    advance(800);
    expect(instance.get("a")).toBe(2);
    instance.delete("a");
    expect(instance.get("a")).toBeUndefined();
  });
});
