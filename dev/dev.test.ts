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

/** `npm run dev` on `port` with nothing of the shell's local stack settings, then `env`. */
function startDev(port: number, env: Record<string, string> = {}, stdio: "ignore" | "pipe" = "ignore") {
  return spawn(process.execPath, [devScript, "--inspector-port", "0"], {
    env: { ...process.env, PORT: String(port), LOCAL_DATABASE_URL: "", LOCAL_REDIS_URL: "", LOCAL_ALLOW_REMOTE: "", PGLITE_DATA_DIR: "memory", ...env },
    stdio,
  });
}

describe("npm run dev", () => {
  it("serves /health and /ready with nothing configured, and Ctrl-C stops all of it", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = startDev(port);
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

  it("runs on its own stack whatever the shell holds for the Worker: DATABASE_URL, REDIS_URL, Upstash secrets", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // Loopback, but nothing listens there: a Worker given these would find Redis down and not be ready.
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const shell = {
      // Asks wrangler to take the Worker's settings from the shell too.
      CLOUDFLARE_INCLUDE_PROCESS_ENV: "true",
      DATABASE_URL: "postgres://u:shell-secret@db.example.com/x",
      REDIS_URL: "redis://:shell-secret@cache.example.com:6379",
      UPSTASH_REDIS_REST_URL: nowhere,
      UPSTASH_REDIS_REST_TOKEN: "shell-secret",
    };
    const child = startDev(port, shell, "pipe");
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      expect(await waitForStatus(`${base}/health`, 200, Date.now() + 60_000)).toBe(true);
      expect(await statusOf(`${base}/ready`)).toBe(200);
    } finally {
      child.kill("SIGINT");
    }
    await once(child, "close");
    expect(output).toContain('local stack ready {"pglite":true,"redis":false');
    expect(output).not.toContain("shell-secret");
  }, 90_000);

  it("refuses a database on another machine before anything starts, in one line naming LOCAL_ALLOW_REMOTE", async () => {
    const child = startDev(await freePort(), { LOCAL_DATABASE_URL: "postgres://u:secret@db.example.com/x" }, "pipe");
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // Should it start after all, stop it rather than leave it running.
    const stray = setTimeout(() => child.kill("SIGINT"), 20_000);
    const [code] = await once(child, "close");
    clearTimeout(stray);
    expect(code).toBe(1);
    // One line and no other: the stack, migrations and wrangler never started, so nothing connected anywhere.
    expect(output).toBe(
      "[dev] error: LOCAL_DATABASE_URL points at db.example.com (postgres://u:***@db.example.com/x), not at this machine: set LOCAL_ALLOW_REMOTE=1 to use a remote server anyway.\n",
    );
  }, 30_000);
});
