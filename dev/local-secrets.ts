import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A fresh random secret for a local run (npm run dev, the test pool, the docs tests): an
 * ATTACHMENT_URL_SECRET new per start makes download links of an earlier run stop working, as they
 * would after a rotation.
 */
export function randomLocalSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/**
 * The WEBHOOK_SECRETS_KEY of a local run. `npm run dev` keeps one in `.data/` (git-ignored), so the
 * webhook secrets its database holds open after a restart; the tests make a fresh one per run.
 */
export async function devWebhookSecretsKey(file: string = DEV_WEBHOOK_SECRETS_KEY_FILE): Promise<string> {
  const existing = (await readFile(file, "utf8").catch(() => "")).trim();
  if (existing.length >= 32) return existing;
  const made = randomLocalSecret();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, made + "\n", { mode: 0o600 });
  return made;
}

export const DEV_WEBHOOK_SECRETS_KEY_FILE = fileURLToPath(new URL("../.data/dev-webhook-secrets-key", import.meta.url));
