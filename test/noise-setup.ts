// vitest setupFiles of both projects: every test fails on console.error output or an unhandled
// rejection it did not declare (see test/helpers/expected-noise.ts). Type-checked with Node's types
// (dev/tsconfig.json): inside workerd, the pool's nodejs_compat gives the same global `process`.
import { afterAll, afterEach } from "vitest";
import { noise, unexpectedNoiseMessage } from "./helpers/expected-noise.ts";

// Kept before any test can install fake timers.
const setTimeoutForReal = globalThis.setTimeout;
const consoleError = console.error;

console.error = function recordedConsoleError(...args: unknown[]) {
  noise.hear("console.error", args);
  consoleError.apply(console, args);
};

// Node's and workerd's process event, not globalThis's "unhandledrejection": vitest reports a
// rejection itself unless another listener is there, which would fail the run on declared ones.
const onUnhandledRejection = (reason: unknown) => noise.hear("unhandled rejection", [reason]);
process.on("unhandledRejection", onUnhandledRejection);

/** Lets a rejection the test left in its last microtasks be reported before the check. */
const nextTask = () => new Promise((resolve) => setTimeoutForReal(resolve, 0));

function failOnUnexpectedNoise(): void {
  const unexpected = noise.take();
  if (unexpected.length > 0) throw new Error(unexpectedNoiseMessage(unexpected));
}

// Registered first, so it runs after the file's own hooks (vitest runs after-hooks in reverse).
afterEach(async () => {
  await nextTask();
  failOnUnexpectedNoise();
});

// Noise from beforeAll/afterAll hooks; what comes later is vitest's own to report again.
afterAll(async () => {
  await nextTask();
  process.off("unhandledRejection", onUnhandledRejection);
  console.error = consoleError;
  failOnUnexpectedNoise();
});
