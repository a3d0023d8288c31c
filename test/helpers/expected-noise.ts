/**
 * Noise a test may make: console.error output and unhandled rejections. test/noise-setup.ts records
 * both during every test and fails the test on any it did not declare here.
 */

export type NoiseKind = "console.error" | "unhandled rejection";

/** Matched against the noise's text: a string anywhere in it, or a RegExp. */
export type NoisePattern = RegExp | string;

export interface Noise {
  kind: NoiseKind;
  text: string;
}

interface Allowance {
  kind: NoiseKind;
  pattern: NoisePattern;
  why: string;
}

/** The longest part of one noise's text a failure message repeats. */
const MAX_TEXT = 600;

/** Holds the noise heard and the noise declared since the last `take()`. */
export class NoiseRecorder {
  #heard: Noise[] = [];
  #allowed: Allowance[] = [];

  allow(kind: NoiseKind, pattern: NoisePattern, why: string): void {
    if (!why.trim()) throw new Error("say why this noise is expected");
    this.#allowed.push({ kind, pattern, why });
  }

  /** Records console.error's arguments, or an unhandled rejection's reason. */
  hear(kind: NoiseKind, values: readonly unknown[]): void {
    this.#heard.push({ kind, text: values.map(describeValue).join(" ") });
  }

  /** The noise heard that no declaration matches; forgets everything heard and declared so far. */
  take(): Noise[] {
    const unexpected = this.#heard.filter((noise) => !this.#allowed.some((allowance) => matches(allowance, noise)));
    this.#heard = [];
    this.#allowed = [];
    return unexpected;
  }
}

/** The recorder test/noise-setup.ts feeds from console.error and unhandled rejections. */
export const noise = new NoiseRecorder();

/**
 * Lets the current test write console.error output matching `pattern` (it may, it need not),
 * saying `why` it is expected. A test that replaces console.error with a spy has declared it too.
 * @example allowConsoleError(/"msg":"unhandled error"/, "the route throws on purpose; onError logs it")
 */
export function allowConsoleError(pattern: NoisePattern, why: string): void {
  noise.allow("console.error", pattern, why);
}

/**
 * Lets the current test leave an unhandled rejection whose reason matches `pattern` (it may, it
 * need not: some are nondeterministic), saying `why` it is expected.
 */
export function allowUnhandledRejection(pattern: NoisePattern, why: string): void {
  noise.allow("unhandled rejection", pattern, why);
}

/** The failure message for noise nobody declared. */
export function unexpectedNoiseMessage(unexpected: readonly Noise[]): string {
  const lines = unexpected.map(({ kind, text }) => `  ${kind}: ${text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text}`);
  return [
    "undeclared noise during this test (or after the previous one ended): fix its cause, or declare it with",
    "allowConsoleError / allowUnhandledRejection from test/helpers/expected-noise.ts, saying why it is expected:",
    ...lines,
  ].join("\n");
}

function matches(allowance: Allowance, noise: Noise): boolean {
  if (allowance.kind !== noise.kind) return false;
  if (typeof allowance.pattern === "string") return noise.text.includes(allowance.pattern);
  allowance.pattern.lastIndex = 0;
  return allowance.pattern.test(noise.text);
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
