// The API reference against the real Worker (wrangler dev, static assets included): the OpenAPI
// document passes Redocly's lint (redocly.yaml), and /docs, rendered in headless Chromium, shows the
// operations and sends a request that succeeds, loading nothing from anywhere but the Worker.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "./worker.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Debian's `chromium` package (GitHub's runner names its Chrome); playwright-core never downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
// CI installs it (.ci/run): there, a missing browser is a failure, never a skip.
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startWorker();
}, 120_000);
afterAll(() => worker?.close(), 30_000);

describe("the OpenAPI document", () => {
  it("passes Redocly CLI's lint with the rules of redocly.yaml", async () => {
    const response = await fetch(`${worker.url}/v1/openapi.json`);
    expect(response.status).toBe(200);
    const scratch = await mkdtemp(path.join(tmpdir(), "edge-openapi-"));
    try {
      const file = path.join(scratch, "openapi.json");
      await writeFile(file, await response.text());
      const { code, output } = await redoclyLint(file);
      expect(code, output).toBe(0);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!hasChromium)(`/docs in headless Chromium${hasChromium ? "" : ` (skipped: no ${CHROMIUM}; apt-get install -y chromium)`}`, () => {
  it("shows the operations, loads nothing from elsewhere, breaks no CSP rule and sends a request that succeeds", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      // Every error line counts (a CSP refusal is one), but the one for the favicon's 404, seen below.
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource: the server responded with a status of 404")) problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("request", (request) => {
        if (!request.url().startsWith(`${worker.url}/`)) problems.push(`request elsewhere: ${request.url()}`);
      });
      page.on("response", (response) => {
        // Chromium asks for /favicon.ico on its own; the API has none.
        if (response.status() >= 400 && !response.url().endsWith("/favicon.ico")) problems.push(`${response.status()}: ${response.url()}`);
      });

      await page.goto(`${worker.url}/docs`);
      await page.getByText("Liveness: the Worker runs.").first().waitFor({ timeout: 30_000 });
      for (const tag of ["Workspaces", "Roles", "API keys", "Invitations"]) await expect(page.getByText(tag, { exact: true }).first().isVisible()).resolves.toBe(true);

      await page.getByRole("button", { name: /Test Request.*get \/health/ }).click();
      const answered = page.waitForResponse((response) => new URL(response.url()).pathname.replace(/^\/+/, "/") === "/health", { timeout: 15_000 });
      await page.getByRole("button", { name: /^Send/ }).first().click();
      const health = await answered;
      expect(health.status()).toBe(200);
      expect(await health.json()).toEqual({ status: "ok" });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});

/** Redocly CLI's `lint` on `file`, with redocly.yaml; no telemetry and no update check (no network). */
function redoclyLint(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", file, "--config", path.join(ROOT, "redocly.yaml"), "--format", "stylish"], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
