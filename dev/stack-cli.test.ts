import { spawn } from "node:child_process";
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
      env: { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: "memory", REDIS_URL: TEST_REDIS_URL, UPSTASH_TOKEN: "token-for-the-test" },
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
});
