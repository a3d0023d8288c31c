import { ApiError } from "../errors";

export interface LimiterOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a slot; one more is refused at once. */
  queue: number;
}

export interface Limiter {
  /** Runs `task` when a slot is free; throws 503 SERVICE_UNAVAILABLE when the waiting line is full. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now and tasks waiting, for tests and logs. */
  readonly stats: { running: number; waiting: number };
}

/**
 * A semaphore with a bounded waiting line, for one isolate.
 * @example const limiter = createLimiter({ concurrency: 2, queue: 8 }); await limiter.run(() => work())
 */
export function createLimiter({ concurrency, queue }: LimiterOptions): Limiter {
  let running = 0;
  const waiting: Array<() => void> = [];

  function release() {
    const next = waiting.shift();
    // The slot passes straight to the next task, so a newcomer cannot overtake the line.
    if (next) next();
    else running--;
  }

  async function acquire() {
    if (running < concurrency) {
      running++;
      return;
    }
    if (waiting.length >= queue) throw new ApiError("SERVICE_UNAVAILABLE", { retryAfter: 1 });
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  return {
    async run(task) {
      await acquire();
      try {
        return await task();
      } finally {
        release();
      }
    },
    get stats() {
      return { running, waiting: waiting.length };
    },
  };
}
