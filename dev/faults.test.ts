import { afterEach, describe, expect, it, vi } from "vitest";
import { delayFor, FaultSwitch, isEndpointName } from "./faults.ts";

describe("FaultSwitch", () => {
  it("has no fault for an endpoint until one is set", () => {
    const faults = new FaultSwitch();
    expect(faults.get("upstash")).toEqual({});
    expect(faults.snapshot()).toEqual({});
  });

  it("sets a fault per endpoint, replacing the previous one", () => {
    const faults = new FaultSwitch();
    faults.set("neonHttp", { latencyMs: 100 });
    faults.set("neonHttp", { errorStatus: 503 });
    faults.set("upstash", { drop: true });
    expect(faults.get("neonHttp")).toEqual({ errorStatus: 503 });
    expect(faults.snapshot()).toEqual({ neonHttp: { errorStatus: 503 }, upstash: { drop: true } });
  });

  it("keeps a copy, so changing the caller's object changes nothing", () => {
    const faults = new FaultSwitch();
    const fault = { latencyMs: 10 };
    faults.set("neonWs", fault);
    fault.latencyMs = 9999;
    expect(faults.get("neonWs")).toEqual({ latencyMs: 10 });
  });

  it("clears one endpoint, or all of them", () => {
    const faults = new FaultSwitch();
    faults.set("neonHttp", { drop: true });
    faults.set("neonWs", { drop: true });
    faults.set("upstash", { drop: true });
    faults.clear("neonWs");
    expect(Object.keys(faults.snapshot()).sort()).toEqual(["neonHttp", "upstash"]);
    faults.clear();
    expect(faults.snapshot()).toEqual({});
  });
});

describe("FaultSwitch arrivals", () => {
  it("counts each arrival per endpoint and hands back the endpoint's fault", () => {
    const faults = new FaultSwitch();
    faults.set("upstash", { latencyMs: 5 });
    expect(faults.arrive("upstash")).toEqual({ latencyMs: 5 });
    faults.arrive("upstash");
    faults.arrive("neonHttp");
    expect(faults.arrivals()).toEqual({ neonHttp: 1, neonWs: 0, upstash: 2 });
    // Reading a fault is not an arrival.
    faults.get("neonWs");
    expect(faults.arrivals().neonWs).toBe(0);
  });
});

describe("isEndpointName", () => {
  it("accepts exactly the three endpoint names", () => {
    expect(["neonHttp", "neonWs", "upstash"].every(isEndpointName)).toBe(true);
    expect(["neonhttp", "redis", "", "toString"].some(isEndpointName)).toBe(false);
  });
});

describe("delayFor", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for the fault's latency", async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = delayFor({ latencyMs: 500 }).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it("does not wait without latency: it sets no timer and has settled after a microtask turn", async () => {
    vi.useFakeTimers();
    const settled: string[] = [];
    void delayFor({}).then(() => settled.push("no fault"));
    void delayFor({ latencyMs: 0, drop: true }).then(() => settled.push("zero latency"));
    expect(vi.getTimerCount()).toBe(0);
    await Promise.resolve();
    expect(settled).toEqual(["no fault", "zero latency"]);
  });
});
