import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { StackInfo } from "./stack-info.ts";
import { TEST_REDIS_URL } from "./test-services.ts";

const cli = fileURLToPath(new URL("./stack-cli.ts", import.meta.url));

describe("npm run stack", () => {
  it("prints one JSON line with everything a client needs, logs to stderr and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [cli], {
      env: { ...process.env, LOCAL_DATABASE_URL: "", PGLITE_DATA_DIR: "memory", LOCAL_REDIS_URL: TEST_REDIS_URL, UPSTASH_TOKEN: "token-for-the-test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const stdout: string[] = [];
    lines.on("line", (line) => stdout.push(line));

    const [firstLine] = (await once(lines, "line")) as [string];
    const info = JSON.parse(firstLine) as StackInfo;
    expect(info).toMatchObject({ pglite: true, upstashToken: "token-for-the-test" });
    for (const url of [info.databaseUrl, info.neonHttpUrl, `ws://${info.neonWsProxy}`, info.upstashUrl!, info.controlUrl]) {
      expect(new URL(url).hostname).toBe("127.0.0.1");
    }
    const health = await fetch(info.upstashUrl!, { method: "POST", headers: { authorization: "Bearer token-for-the-test" }, body: '["PING"]' });
    expect(await health.json()).toEqual({ result: "PONG" });

    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(stdout).toHaveLength(1);
    expect(stderr).toContain("ready");
    expect(stderr).not.toContain("token-for-the-test");
  }, 30_000);

  it("refuses a Redis on another machine before anything starts, in one line without its password", () => {
    const result = spawnSync(process.execPath, [cli], {
      env: { ...process.env, LOCAL_DATABASE_URL: "", PGLITE_DATA_DIR: "memory", LOCAL_REDIS_URL: "redis://:secret@cache.example.com:6379", LOCAL_ALLOW_REMOTE: "" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "[stack] error: could not start: LOCAL_REDIS_URL points at cache.example.com (redis://:***@cache.example.com:6379), not at this machine: set LOCAL_ALLOW_REMOTE=1 to use a remote server anyway.\n",
    );
  });
});
