import { describe, expect, it } from "vitest";
import { ApiError } from "../../../src/lib/errors";
import { createLimiter } from "../../../src/lib/passwords/concurrency";

/** A task that runs until the test releases it, recording that it started. */
function heldTask(started: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    release,
    task: async () => {
      started.push(name);
      await done;
      return name;
    },
  };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe("the hash limiter", () => {
  it("runs at most `concurrency` tasks at once and starts the waiting ones in order as slots free", async () => {
    const limiter = createLimiter({ concurrency: 2, queue: 8 });
    const started: string[] = [];
    const tasks = ["a", "b", "c", "d"].map((name) => heldTask(started, name));
    const results = tasks.map(({ task }) => limiter.run(task));
    await settle();
    expect(started).toEqual(["a", "b"]);
    expect(limiter.stats).toEqual({ running: 2, waiting: 2 });

    tasks[1]!.release();
    await settle();
    expect(started).toEqual(["a", "b", "c"]);
    tasks[0]!.release();
    await settle();
    expect(started).toEqual(["a", "b", "c", "d"]);

    tasks[2]!.release();
    tasks[3]!.release();
    expect(await Promise.all(results)).toEqual(["a", "b", "c", "d"]);
    expect(limiter.stats).toEqual({ running: 0, waiting: 0 });
  });

  it("refuses a task beyond the waiting line at once with 503 SERVICE_UNAVAILABLE and Retry-After 1", async () => {
    const limiter = createLimiter({ concurrency: 2, queue: 3 });
    const started: string[] = [];
    const held = Array.from({ length: 5 }, (_, index) => heldTask(started, String(index)));
    const accepted = held.map(({ task }) => limiter.run(task));

    const refused = heldTask(started, "refused");
    const error = await limiter.run(refused.task).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503, options: { retryAfter: 1 } });
    expect(started).not.toContain("refused");

    for (const { release } of held) release();
    await Promise.all(accepted);
    expect(await limiter.run(async () => "after the burst")).toBe("after the burst");
  });

  it("frees the slot of a task that fails", async () => {
    const limiter = createLimiter({ concurrency: 1, queue: 1 });
    await expect(limiter.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(limiter.stats).toEqual({ running: 0, waiting: 0 });
    expect(await limiter.run(async () => 42)).toBe(42);
  });
});
