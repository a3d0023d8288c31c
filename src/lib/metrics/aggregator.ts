import type { MetricsAggregator } from "../../durable-objects/metrics-aggregator";
import { DependencyUnavailableError } from "../errors";
import type { Sample } from "./isolate-metrics";

/** The one aggregator of a Worker: every isolate's flushes go to the object of this name. */
export const AGGREGATOR_NAME = "metrics";

/** Bound on each call to the aggregator: a flush runs off the request path, a scrape waits for a read. */
export const AGGREGATOR_TIMEOUT_MS = 5000;

/** What the app needs of the aggregator. */
export interface Aggregator {
  add(samples: Sample[]): Promise<void>;
  read(): Promise<Sample[]>;
  /** Adds `samples` and reads every total, in one call. */
  exchange(samples: Sample[]): Promise<Sample[]>;
}

/**
 * The only code that talks to the METRICS_AGGREGATOR namespace. Each call is bounded by
 * AGGREGATOR_TIMEOUT_MS; late or failing, it throws DependencyUnavailableError.
 */
export function aggregatorOf(namespace: DurableObjectNamespace<MetricsAggregator>): Aggregator {
  async function call<T>(send: (stub: DurableObjectStub<MetricsAggregator>) => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DependencyUnavailableError("metrics-aggregator", "timeout")), AGGREGATOR_TIMEOUT_MS);
    });
    // Workers RPC takes no AbortSignal: past the deadline the call is left to finish on its own.
    const sent = Promise.resolve().then(() => send(namespace.get(namespace.idFromName(AGGREGATOR_NAME))));
    sent.catch(() => {});
    try {
      return await Promise.race([sent, deadline]);
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      throw new DependencyUnavailableError("metrics-aggregator", "unreachable", { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    add: (samples) => call((stub) => stub.add(samples)),
    // RPC types a tuple's array as an array of arrays; the object returns `Sample`s.
    read: () => call(async (stub) => (await stub.read()) as unknown as Sample[]),
    exchange: (samples) => call(async (stub) => (await stub.exchange(samples)) as unknown as Sample[]),
  };
}
