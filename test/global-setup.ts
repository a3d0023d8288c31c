import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import type { TestStacks } from "../dev/stack-info.ts";

/**
 * Starts the run's local stacks in a Node process of their own: vitest's module runner would
 * resolve their packages with the Workers conditions (ws's browser stub, pg's Cloudflare sockets).
 * The child drops the run's database and deletes its Redis keys when it is told to stop, or when
 * this process dies.
 */
export default async function setup(project: TestProject) {
  const child = spawn(process.execPath, [new URL("../dev/test-stacks.ts", import.meta.url).pathname], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), "line"),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`the test stacks did not start (exit code ${code})`))),
  ])) as [string];
  const stacks = JSON.parse(line) as TestStacks;
  for (const name of Object.keys(stacks) as Array<keyof TestStacks>) project.provide(name, stacks[name]);

  return async () => {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  };
}
