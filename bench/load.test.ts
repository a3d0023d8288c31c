import { describe, expect, it } from "vitest";
import { collect, formatComparisons, pairedRatio, type ScenarioSlice } from "./load.ts";
import type { Scenario } from "./scenarios.ts";

const slice = (responses: number, seconds = 2): ScenarioSlice => ({
  seconds,
  responses,
  non2xx: 0,
  unexpected: 0,
  errors: 0,
  statusCodes: { "200": responses },
  latencies: new Float64Array([1, 2, 3]),
});

describe("pairedRatio", () => {
  it("compares the slices of each round and gives their median and range", () => {
    expect(pairedRatio([90, 60, 80], [100, 100, 100])).toEqual({ median: 0.8, min: 0.6, max: 0.9 });
    expect(pairedRatio([50, 70], [100, 100])).toEqual({ median: 0.6, min: 0.5, max: 0.7 });
  });

  it("keeps one round's burst out of the median, where the ratio of totals takes it in", () => {
    // Round 3's baseline slice fell on a busy moment: its totals ratio moves, the median does not.
    const mine = [70, 70, 70, 70, 70];
    const theirs = [100, 100, 20, 100, 100];
    expect(pairedRatio(mine, theirs)!.median).toBeCloseTo(0.7);
    expect(mine.reduce((a, b) => a + b) / theirs.reduce((a, b) => a + b)).toBeCloseTo(0.83, 2);
  });

  it("pairs only rounds both measured, and says nothing without one", () => {
    const paired = pairedRatio([80, 90, 100], [100, 100])!;
    expect(paired.median).toBeCloseTo(0.85);
    expect([paired.min, paired.max]).toEqual([0.8, 0.9]);
    expect(pairedRatio([], [100])).toBeUndefined();
    expect(pairedRatio([80], [0])).toBeUndefined();
  });
});

describe("collect and formatComparisons", () => {
  it("keeps each slice's rate and prints the by-round ratio beside the ratio of totals", () => {
    const app = collect("app", [slice(140), slice(120), slice(160)]);
    const bare = collect("bare", [slice(200), slice(200), slice(200)]);
    expect(app.sliceRates).toEqual([70, 60, 80]);
    const scenarios = [{ name: "app", compareTo: "bare" }] as Scenario[];
    expect(formatComparisons(scenarios, [app, bare])).toEqual(["app / bare: req/s ×0.70 (by round: median ×0.70, ×0.60–×0.80), p50 ×1.00 (2.00 vs 2.00 ms)"]);
  });
});
