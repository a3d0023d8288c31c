// What the bench scripts share as command-line programs: settings from the environment and a clean stop.
import { killAllWorkerdSync } from "./workerd.ts";

/** A whole-number setting from the environment, 1 to `max`, or `fallback` when unset; throws naming it otherwise. */
export function envCount(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

/** On Ctrl-C or SIGTERM: kill every workerd at once, run `cleanup`, exit 130. */
export function stopWorkerdOnSignals(cleanup: () => Promise<void>): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping workerd`);
      killAllWorkerdSync();
      void cleanup().finally(() => process.exit(130));
    });
  }
}
