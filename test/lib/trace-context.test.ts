import { describe, expect, it } from "vitest";
import { parseTracestate, startTrace } from "../../src/lib/trace-context";

const PARENT = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;

describe("parseTracestate", () => {
  it("keeps a valid list, trimmed of optional whitespace and empty members", () => {
    expect(parseTracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7,,")).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(parseTracestate("tenant1@vendor=value-with spaces inside")).toBe("tenant1@vendor=value-with spaces inside");
  });

  it.each([
    ["an uppercase key", "Vendor=x"],
    ["an '=' inside the value", "vendor=a=b"],
    ["an empty value", "vendor="],
    ["no key", "=value"],
    ["a control character", "vendor=a\u0001b"],
    ["a duplicate key", "vendor=a,vendor=b"],
    ["a key over 256 characters", `${"k".repeat(257)}=v`],
    ["a value over 256 characters", `vendor=${"v".repeat(257)}`],
    ["more than 32 members", Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(",")],
  ])("discards the whole header for %s", (_, header) => {
    expect(parseTracestate(header)).toBeUndefined();
  });

  it("caps the result at 512 characters, dropping members over 128 characters first", () => {
    const long = `long=${"x".repeat(200)}`;
    const shortOnes = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, "0")}=${"v".repeat(20)}`);
    const result = parseTracestate([long, ...shortOnes].join(","))!;
    expect(result).not.toContain("long=");
    expect(result.startsWith("k00=")).toBe(true);
    expect(result.length).toBeLessThanOrEqual(512);
    expect(result.split(",").length).toBe(20);
  });

  it("drops members from the right until the list fits", () => {
    const members = Array.from({ length: 10 }, (_, i) => `k${i}=${"v".repeat(100)}`);
    const result = parseTracestate(members.join(","))!;
    expect(result.split(",")).toEqual(members.slice(0, 4));
  });

  it("does not parse absurdly long input at all", () => {
    expect(parseTracestate(`vendor=x,${" ".repeat(100_000)}`)).toBeUndefined();
  });
});

describe("startTrace", () => {
  it("carries a valid tracestate only with a valid traceparent", () => {
    expect(startTrace(PARENT, "vendor=x").traceState).toBe("vendor=x");
    expect(startTrace("garbage", "vendor=x").traceState).toBeUndefined();
    expect(startTrace(PARENT, "Vendor=x").traceState).toBeUndefined();
  });
});
