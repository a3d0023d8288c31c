import { describe, expect, it, vi } from "vitest";
import { JobCounts, reportJobCounts } from "../../src/jobs/job-metrics";
import { MAX_RETRIES } from "../../src/jobs/queue-kinds";
import { createLogger } from "../../src/lib/logger";
import type { Sample } from "../../src/lib/metrics";
import { uniqueEmail } from "../helpers/identity";
import { deliverMail } from "../helpers/mail";
import { testStack } from "../helpers/stack";

/** A stand-in for the METRICS_AGGREGATOR namespace that records what each `add` carried, or fails. */
function recordingAggregator({ failing = false } = {}) {
  const added: Sample[][] = [];
  const namespace = {
    idFromName: (name: string) => name,
    get: () => ({
      add: async (samples: Sample[]) => {
        if (failing) throw new Error("aggregator down");
        added.push(samples);
      },
    }),
  };
  return { added, bindings: { METRICS_AGGREGATOR: namespace } };
}

const series = (kind: string, outcome: string) => `background_jobs_total{kind="${kind}",outcome="${outcome}"}`;

describe("background job metrics", () => {
  it("count each mail of a batch by outcome, in one call to the aggregator", async () => {
    const aggregator = recordingAggregator();
    vi.spyOn(console, "error").mockImplementation(() => {});
    await deliverMail(
      [
        { template: "account-exists", to: uniqueEmail(), locale: "en" },
        { template: "account-exists", to: uniqueEmail(), locale: "en" },
        { template: "newsletter", to: uniqueEmail(), locale: "en" },
      ],
      { bindings: aggregator.bindings },
    );
    vi.restoreAllMocks();
    expect(aggregator.added).toHaveLength(1);
    expect(Object.fromEntries(aggregator.added[0]!)).toEqual({ [series("mail", "ok")]: 2, [series("mail", "dropped")]: 1 });
  });

  it("count a failed send as retried, and as failed on the attempt after which the queue gives up", async () => {
    const provider = { MAIL_TRANSPORT: "provider", MAIL_API_URL: `${testStack().controlUrl}/emails`, MAIL_API_KEY: "re_test", MAIL_FROM: "no-reply@example.test" };
    const aggregator = recordingAggregator();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const notice = () => ({ template: "password-changed", to: uniqueEmail(), locale: "en" });
    await deliverMail([notice()], { bindings: { ...provider, ...aggregator.bindings }, attempts: MAX_RETRIES.mail });
    await deliverMail([notice()], { bindings: { ...provider, ...aggregator.bindings }, attempts: MAX_RETRIES.mail + 1 });
    const logged = errors.mock.calls.map(([line]) => String(line));
    vi.restoreAllMocks();
    expect(aggregator.added.map((samples) => Object.fromEntries(samples))).toEqual([{ [series("mail", "retried")]: 1 }, { [series("mail", "failed")]: 1 }]);
    expect(logged).toEqual([expect.stringContaining("giving up to the dead-letter queue")]);
  });

  it("send nothing while METRICS_ENABLED is false, or when nothing was counted", async () => {
    const aggregator = recordingAggregator();
    const counts = new JobCounts("events");
    await reportJobCounts({ ...aggregator.bindings, METRICS_ENABLED: "true" } as unknown as Env, counts, createLogger());
    counts.add("ok", 3);
    await reportJobCounts({ ...aggregator.bindings, METRICS_ENABLED: "false" } as unknown as Env, counts, createLogger());
    expect(aggregator.added).toEqual([]);
    await reportJobCounts({ ...aggregator.bindings, METRICS_ENABLED: "true" } as unknown as Env, counts, createLogger());
    expect(aggregator.added).toEqual([[[series("events", "ok"), 3]]]);
  });

  it("cost the job a warn line, never a failure, when the aggregator is down", async () => {
    const aggregator = recordingAggregator({ failing: true });
    const counts = new JobCounts("deliveries");
    counts.add("failed");
    const lines: string[] = [];
    await reportJobCounts(aggregator.bindings as unknown as Env, counts, createLogger({ write: (_, line) => lines.push(line) }));
    expect(lines).toEqual([expect.stringContaining('"msg":"job metrics not sent"')]);
  });
});
