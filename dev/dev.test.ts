import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const devScript = fileURLToPath(new URL("./dev.ts", import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function statusOf(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

async function waitForStatus(url: string, status: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if ((await statusOf(url)) === status) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

describe("npm run dev", () => {
  it("serves /health and /ready with nothing configured, and Ctrl-C stops all of it", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [devScript, "--inspector-port", "0"], {
      env: { ...process.env, PORT: String(port), DATABASE_URL: "", REDIS_URL: "", PGLITE_DATA_DIR: "memory" },
      stdio: "ignore",
    });
    try {
      expect(await waitForStatus(`${base}/health`, 200, Date.now() + 60_000)).toBe(true);
      expect(await statusOf(`${base}/ready`)).toBe(200);
    } finally {
      child.kill("SIGINT");
    }
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    expect(await statusOf(`${base}/health`)).toBeUndefined();
  }, 90_000);
});
