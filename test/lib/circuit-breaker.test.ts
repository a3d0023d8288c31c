import { describe, expect, it, vi } from "vitest";
import { CircuitBreaker, type CircuitBreakerOptions } from "../../src/lib/circuit-breaker";
import { DependencyUnavailableError } from "../../src/lib/errors";
import { manualClock } from "../helpers/clock";

const THRESHOLD = 3;
const COOL_DOWN_MS = 5000;

class Outage extends Error {}
class CallerMistake extends Error {}

function breaker(options: Partial<CircuitBreakerOptions> = {}) {
  const time = manualClock(0);
  const onTransition = vi.fn();
  const instance = new CircuitBreaker({
    dependency: "thing",
    clock: time.clock,
    failureThreshold: THRESHOLD,
    coolDownMs: COOL_DOWN_MS,
    isFailure: (error) => error instanceof Outage,
    onTransition,
    ...options,
  });
  return { instance, advance: time.advance, onTransition };
}

const fail = () => Promise.reject(new Outage("down"));
const succeed = () => Promise.resolve("ok");

/** Runs `call` through the breaker, `times` times in a row, ignoring what they throw. */
async function repeat(instance: CircuitBreaker, times: number, call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < times; i++) await instance.run(call).catch(() => {});
}

/** What the breaker answers a call with while refusing it, and whether the call started. */
async function refusal(instance: CircuitBreaker): Promise<{ error: unknown; started: boolean }> {
  let started = false;
  const error = await instance
    .run(async () => {
      started = true;
    })
    .then(() => undefined, (error: unknown) => error);
  return { error, started };
}

describe("CircuitBreaker", () => {
  it("passes calls and their results through while closed", async () => {
    const { instance } = breaker();
    await expect(instance.run(succeed)).resolves.toBe("ok");
    await expect(instance.run(fail)).rejects.toBeInstanceOf(Outage);
    expect(instance.state).toBe("closed");
  });

  it("opens after the threshold of consecutive dependency failures and refuses calls without starting them", async () => {
    const { instance, onTransition } = breaker();
    await repeat(instance, THRESHOLD - 1, fail);
    expect(instance.state).toBe("closed");
    await repeat(instance, 1, fail);
    expect(instance.state).toBe("open");
    expect(onTransition).toHaveBeenCalledTimes(1);
    expect(onTransition).toHaveBeenCalledWith("open", expect.objectContaining({ state: "open", failures: THRESHOLD, opened: 1 }));

    const { error, started } = await refusal(instance);
    expect(started).toBe(false);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ dependency: "thing", reason: "open" });
    expect(instance.stats()).toEqual({ state: "open", failures: THRESHOLD, rejected: 1, opened: 1 });
  });

  it("counts only consecutive failures: a success in between starts the count again", async () => {
    const { instance } = breaker();
    await repeat(instance, THRESHOLD - 1, fail);
    await instance.run(succeed);
    await repeat(instance, THRESHOLD - 1, fail);
    expect(instance.state).toBe("closed");
  });

  it("never opens on errors that are the caller's, however many", async () => {
    const { instance } = breaker();
    await repeat(instance, THRESHOLD * 10, () => Promise.reject(new CallerMistake("bad statement")));
    expect(instance.state).toBe("closed");
    expect(instance.stats().failures).toBe(0);
    // A caller's error in between also breaks a run of dependency failures: the dependency answered.
    await repeat(instance, THRESHOLD - 1, fail);
    await repeat(instance, 1, () => Promise.reject(new CallerMistake("duplicate")));
    await repeat(instance, THRESHOLD - 1, fail);
    expect(instance.state).toBe("closed");
  });

  it("lets one probe through after the cool-down, refusing the others while it runs; its success closes the breaker", async () => {
    const { instance, advance, onTransition } = breaker();
    await repeat(instance, THRESHOLD, fail);
    advance(COOL_DOWN_MS - 1);
    expect((await refusal(instance)).started).toBe(false);
    advance(1);

    let finishProbe!: () => void;
    const probe = instance.run(() => new Promise<string>((resolve) => (finishProbe = () => resolve("probed"))));
    expect(instance.state).toBe("half-open");
    expect((await refusal(instance)).started).toBe(false);
    finishProbe();
    await expect(probe).resolves.toBe("probed");

    expect(instance.state).toBe("closed");
    expect(onTransition.mock.calls.map(([state]) => state)).toEqual(["open", "closed"]);
    await expect(instance.run(succeed)).resolves.toBe("ok");
  });

  it("re-opens for another cool-down when the probe fails, reporting no new transition", async () => {
    const { instance, advance, onTransition } = breaker();
    await repeat(instance, THRESHOLD, fail);
    advance(COOL_DOWN_MS);
    await expect(instance.run(fail)).rejects.toBeInstanceOf(Outage);
    expect(instance.state).toBe("open");
    advance(COOL_DOWN_MS - 1);
    expect((await refusal(instance)).started).toBe(false);
    advance(1);
    await instance.run(succeed);
    expect(instance.state).toBe("closed");
    expect(onTransition.mock.calls.map(([state]) => state)).toEqual(["open", "closed"]);
  });

  it("lets another probe through when the one in flight has not answered within a cool-down", async () => {
    const { instance, advance } = breaker();
    await repeat(instance, THRESHOLD, fail);
    advance(COOL_DOWN_MS);
    void instance.run(() => new Promise<never>(() => {}));
    advance(COOL_DOWN_MS - 1);
    expect((await refusal(instance)).started).toBe(false);
    advance(1);
    await instance.run(succeed);
    expect(instance.state).toBe("closed");
  });

  it("counts a call admitted before the breaker opened but moves no state with its outcome", async () => {
    const { instance } = breaker();
    let finishLate!: () => void;
    const late = instance.run(() => new Promise<string>((resolve) => (finishLate = () => resolve("late"))));
    await repeat(instance, THRESHOLD, fail);
    finishLate();
    await late;
    expect(instance.state).toBe("open");
  });

  it("counts every dependency failure and every refusal in its totals", async () => {
    const { instance } = breaker();
    await repeat(instance, THRESHOLD, fail);
    await refusal(instance);
    expect(instance.stats()).toEqual({ state: "open", failures: THRESHOLD, rejected: 1, opened: 1 });
  });
});
