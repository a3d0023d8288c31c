// `npm run dev`: the local stack on its embedded defaults, migrations applied, then `wrangler dev`
// on 127.0.0.1:8787 with the stack's addresses. Ctrl-C stops all of it.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { devSigningKeys } from "./dev-signing-keys.ts";
import { devWebhookSecretsKey, randomLocalSecret } from "./local-secrets.ts";
import { createLogger } from "./logger.ts";
import { applyMigrations } from "./migrate.ts";
import { startStack, type StackInfo, type StackOptions } from "./stack.ts";
import { stackOptionsFromEnv } from "./stack-env.ts";
import { workerBindings } from "./stack-info.ts";

const logger = createLogger("dev");
const root = fileURLToPath(new URL("..", import.meta.url));
const port = process.env.PORT ?? "8787";

/** Bindings for the Worker, written to a git-ignored env file so wrangler shows them as hidden. */
async function writeBindings(info: StackInfo): Promise<string> {
  // A new download-URL key each start: links handed out by an earlier run stop working, nothing else.
  const bindings = { ...workerBindings(info), JWT_SIGNING_KEYS: await devSigningKeys(), ATTACHMENT_URL_SECRET: randomLocalSecret(), WEBHOOK_SECRETS_KEY: await devWebhookSecretsKey() };
  const folder = `${root}.wrangler`;
  await mkdir(folder, { recursive: true });
  const file = `${folder}/local-stack.env`;
  await writeFile(file, Object.entries(bindings).map(([key, value]) => `${key}=${envFileValue(value)}`).join("\n") + "\n", { mode: 0o600 });
  return file;
}

/**
 * A value for the env file wrangler reads (dotenv): single-quoted, which dotenv takes literally, so
 * JSON keeps its double quotes; a value that holds a single quote or a line break cannot be written.
 */
function envFileValue(value: string): string {
  if (/['\r\n]/.test(value)) throw new Error("a binding value with a quote or a line break cannot go in the env file");
  return `'${value}'`;
}

let options: StackOptions;
try {
  options = stackOptionsFromEnv(process.env);
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const stack = await startStack({ ...options, logger: createLogger("stack") });
try {
  await applyMigrations(stack.info.databaseUrl);
} catch (error) {
  logger.error(`migrations failed: ${error instanceof Error ? error.message : String(error)}`);
  await stack.close();
  process.exit(1);
}
const envFile = await writeBindings(stack.info);
logger.info("local stack ready", { pglite: stack.info.pglite, redis: Boolean(stack.info.upstashUrl), faults: stack.info.controlUrl });

// The Worker's settings come from the env file alone: with CLOUDFLARE_INCLUDE_PROCESS_ENV set,
// wrangler would let a DATABASE_URL or an Upstash secret left in the shell override the stack's.
const wrangler = spawn(
  process.execPath,
  [`${root}node_modules/wrangler/bin/wrangler.js`, "dev", "--ip", "127.0.0.1", "--port", port, "--env-file", envFile, "--show-interactive-dev-session=false", ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit", env: { ...process.env, CLOUDFLARE_INCLUDE_PROCESS_ENV: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" } },
);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null) wrangler.kill("SIGTERM");
  await stack.close();
  process.exit(code);
}
wrangler.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
