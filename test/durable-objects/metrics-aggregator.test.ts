import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { MetricsAggregator } from "../../src/durable-objects/metrics-aggregator";
import type { Sample } from "../../src/lib/metrics";
import { allowUnhandledRejection } from "../helpers/expected-noise";

function aggregator(): DurableObjectStub<MetricsAggregator> {
  return env.METRICS_AGGREGATOR.get(env.METRICS_AGGREGATOR.idFromName(`test-${crypto.randomUUID()}`));
}

const totals = async (stub: DurableObjectStub<MetricsAggregator>) => new Map((await stub.read()) as unknown as Sample[]);

describe("the MetricsAggregator object", () => {
  it("sums the deltas of every flush by series", async () => {
    const stub = aggregator();
    await stub.add([['http_errors_total{code="NOT_FOUND"}', 2], ["db_calls_total", 1]]);
    await stub.add([['http_errors_total{code="NOT_FOUND"}', 3]]);
    expect(await totals(stub)).toEqual(new Map([['http_errors_total{code="NOT_FOUND"}', 5], ["db_calls_total", 1]]));
  });

  it("keeps its totals when it is evicted and a new instance starts", async () => {
    const stub = aggregator();
    await stub.add([["db_calls_total", 7]]);
    const before = await runInDurableObject(stub, (instance) => instance);
    await evictDurableObject(stub);
    expect(await runInDurableObject(stub, (instance) => instance)).not.toBe(before);
    expect(await totals(stub)).toEqual(new Map([["db_calls_total", 7]]));
  });

  it("refuses a malformed flush whole, adding none of it", async () => {
    allowUnhandledRejection(
      /RangeError: a sample is/,
      "the object refuses the input on purpose; workerd reports a rejected RPC call in the object's isolate, which is this one",
    );
    const stub = aggregator();
    const malformed = [["db_calls_total", 1], ["http_errors_total", -1]] as Sample[];
    await expect(stub.add(malformed)).rejects.toThrow(RangeError);
    expect(await totals(stub)).toEqual(new Map());
  });
});
