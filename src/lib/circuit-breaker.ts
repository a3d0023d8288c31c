import type { Clock } from "./clock";
import { DependencyUnavailableError } from "./errors";

export type BreakerState = "closed" | "open" | "half-open";

/** What a breaker has seen since it was made; read by logs now, by metrics later. */
export interface BreakerStats {
  state: BreakerState;
  /** Calls that failed because of the dependency (timeouts, unreachable, 5xx). */
  failures: number;
  /** Calls refused without reaching the dependency while the breaker was open. */
  rejected: number;
  /** Times the breaker opened. */
  opened: number;
}

export interface CircuitBreakerOptions {
  /** Names the dependency in DependencyUnavailableError and in log lines. */
  dependency: string;
  clock: Clock;
  /** Consecutive dependency failures that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before it lets one probe through. */
  coolDownMs: number;
  /**
   * Whether `error` means the dependency failed. Anything else (a SQL error, a refused command) is
   * the caller's problem: the dependency answered, which counts as a success.
   */
  isFailure: (error: unknown) => boolean;
  /** Called once per transition to open or back to closed. */
  onTransition?: (state: "open" | "closed", stats: BreakerStats) => void;
}

/**
 * A circuit breaker over one dependency, for one isolate. Closed, it passes every call and counts
 * consecutive dependency failures; at `failureThreshold` it opens and refuses every call at once
 * with DependencyUnavailableError("…", "open") for `coolDownMs`. Then the first call is the probe
 * (half-open) while the others are still refused: its success closes the breaker, its failure opens
 * it for another cool-down. A probe whose outcome never arrives is replaced after a cool-down.
 * Outcomes of calls admitted before the breaker opened update the counts but move no state.
 * Holds a few numbers: its memory does not grow with traffic.
 * @example await breaker.run(() => fetch(url, { signal: AbortSignal.timeout(1000) }))
 */
export class CircuitBreaker {
  #state: BreakerState = "closed";
  #consecutiveFailures = 0;
  /** When the open breaker lets a probe through, or when the probe in flight is given up. */
  #retryAt = 0;
  #failures = 0;
  #rejected = 0;
  #opened = 0;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): BreakerState {
    return this.#state;
  }

  stats(): BreakerStats {
    return { state: this.#state, failures: this.#failures, rejected: this.#rejected, opened: this.#opened };
  }

  /** Runs `call` unless the breaker is open, recording its outcome; refused calls never start. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const probe = this.#admit();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      if (this.options.isFailure(error)) this.#failed(probe);
      else this.#succeeded(probe);
      throw error;
    }
    this.#succeeded(probe);
    return result;
  }

  /** Whether the call may go ahead, and whether it is the probe; throws when it may not. */
  #admit(): boolean {
    if (this.#state === "closed") return false;
    const now = this.options.clock();
    if (now < this.#retryAt) {
      this.#rejected++;
      throw new DependencyUnavailableError(this.options.dependency, "open");
    }
    this.#state = "half-open";
    this.#retryAt = now + this.options.coolDownMs;
    return true;
  }

  #succeeded(probe: boolean): void {
    if (this.#state === "closed") this.#consecutiveFailures = 0;
    else if (probe && this.#state === "half-open") this.#close();
  }

  #failed(probe: boolean): void {
    this.#failures++;
    if (this.#state === "closed") {
      if (++this.#consecutiveFailures >= this.options.failureThreshold) this.#open(true);
    } else if (probe && this.#state === "half-open") {
      this.#open(false);
    }
  }

  #open(fromClosed: boolean): void {
    this.#state = "open";
    this.#retryAt = this.options.clock() + this.options.coolDownMs;
    if (!fromClosed) return;
    // A failed probe re-opens a breaker that never closed: no new transition to report.
    this.#opened++;
    this.options.onTransition?.("open", this.stats());
  }

  #close(): void {
    this.#state = "closed";
    this.#consecutiveFailures = 0;
    this.options.onTransition?.("closed", this.stats());
  }
}
