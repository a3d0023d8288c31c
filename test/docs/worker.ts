// Runs the Worker as `npm run dev` does, for tests that need it over real HTTP from Node: the local
// stack (an in-memory PGlite, no Redis), migrations, and `wrangler dev` on a free loopback port,
// which serves the Worker's static assets as Cloudflare does.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomLocalSecret } from "../../dev/local-secrets.ts";
import { createLogger } from "../../dev/logger.ts";
import { applyMigrations } from "../../dev/migrate.ts";
import { workerBindings } from "../../dev/stack-info.ts";
import { startStack } from "../../dev/stack.ts";
import { generateSigningKeySet } from "../../src/lib/tokens/key-generation.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT_MS = 90_000;

export interface RunningWorker {
  url: string;
  close(): Promise<void>;
}

export async function startWorker(): Promise<RunningWorker> {
  const scratch = await mkdtemp(path.join(tmpdir(), "edge-docs-"));
  const stack = await startStack({ logger: createLogger("stack", { quiet: true }) });
  let wrangler: ReturnType<typeof spawn> | undefined;
  const close = async () => {
    if (wrangler && wrangler.exitCode === null) {
      const exited = new Promise((resolve) => wrangler!.once("exit", resolve));
      wrangler.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (wrangler.exitCode === null) wrangler.kill("SIGKILL");
    }
    await stack.close();
    await rm(scratch, { recursive: true, force: true });
  };
  try {
    await applyMigrations(stack.info.databaseUrl);
    const bindings = { ...workerBindings(stack.info), JWT_SIGNING_KEYS: JSON.stringify(await generateSigningKeySet()), ATTACHMENT_URL_SECRET: randomLocalSecret(), WEBHOOK_SECRETS_KEY: randomLocalSecret() };
    const envFile = path.join(scratch, "worker.env");
    await writeFile(envFile, Object.entries(bindings).map(([key, value]) => `${key}='${value}'`).join("\n") + "\n", { mode: 0o600 });
    const port = await freePort();
    const log = path.join(scratch, "wrangler.log");
    wrangler = spawn(
      process.execPath,
      [path.join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "dev", "--ip", "127.0.0.1", "--port", String(port), "--env-file", envFile, "--persist-to", path.join(scratch, "state"), "--show-interactive-dev-session=false", "--log-level", "error"],
      { cwd: ROOT, stdio: "ignore", env: { ...process.env, CLOUDFLARE_INCLUDE_PROCESS_ENV: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: log } },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, () => wrangler!.exitCode);
    return { url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function waitForHealth(url: string, exitCode: () => number | null): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode() !== null) throw new Error(`wrangler dev exited with ${exitCode()}`);
    const ok = await fetch(`${url}/health`).then(
      async (response) => {
        await response.body?.cancel();
        return response.ok;
      },
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not answer /health within ${START_TIMEOUT_MS / 1000} s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
