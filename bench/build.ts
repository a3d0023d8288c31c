// `npm run build`: bundles the Worker as `wrangler deploy` would (without uploading anything) into
// dist/, then prints the bundle's raw and gzip sizes. `buildWorker()` is reused by bench/run.ts.
import { spawn } from "node:child_process";
import { readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { gzipSync } from "node:zlib";
import { build as esbuild } from "esbuild";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DIST_DIR = path.join(ROOT, "dist");
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
/** The Wrangler environment whose bundle is measured. The code is the same in every environment; only vars differ. */
export const BUILD_ENV = "production";
/** A bounded build: Wrangler normally needs about a second here. */
const BUILD_TIMEOUT_MS = 120_000;

export interface BuildResult {
  bundlePath: string;
  rawBytes: number;
  gzipBytes: number;
}

/** Environment for every Wrangler process: no telemetry, no request to Cloudflare for `request.cf`. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)} KiB`;
}

/** How workerd loads each kind of module Wrangler writes beside the bundle, imported by its file name. */
const ATTACHED_MODULE_KINDS = { ".wasm": "wasm", ".txt": "text" } as const;

export interface AttachedModule {
  /** The file's name, which is also the name the bundle imports it by ("./<hash>-<name>.<ext>"). */
  file: string;
  kind: (typeof ATTACHED_MODULE_KINDS)[keyof typeof ATTACHED_MODULE_KINDS];
}

/** The modules beside a bundle: the WebAssembly (Argon2id) and the text (the common-password list). */
export async function attachedModules(bundleDir: string): Promise<AttachedModule[]> {
  return (await readdir(bundleDir)).flatMap((file) => {
    const kind = ATTACHED_MODULE_KINDS[path.extname(file) as keyof typeof ATTACHED_MODULE_KINDS];
    return kind ? [{ file, kind }] : [];
  });
}

/**
 * The sizes of a bundle, as is and gzipped at level 9, with the text modules beside it (code and
 * data the bundle would otherwise hold), each file gzipped on its own. The WebAssembly is not counted.
 */
export async function measureBundle(bundlePath: string): Promise<BuildResult> {
  const bundleDir = path.dirname(bundlePath);
  const texts = (await attachedModules(bundleDir)).filter((module) => module.kind === "text").map((module) => path.join(bundleDir, module.file));
  const files = await Promise.all([bundlePath, ...texts].map((file) => readFile(file)));
  const sum = (size: (file: Buffer) => number) => files.reduce((total, file) => total + size(file), 0);
  return { bundlePath, rawBytes: sum((file) => file.byteLength), gzipBytes: sum((file) => gzipSync(file, { level: 9 }).byteLength) };
}

export interface WorkerBuild {
  /** Another entry than wrangler.toml's `main` (a file under bench/), built with the same settings. */
  entry?: string;
  /** Where the bundle goes, emptied first; dist/ by default. */
  outdir?: string;
  /** Minified, as the bundle budget measures it; what deploys (and what the benches run) is not. */
  minify?: boolean;
}

/** `wrangler deploy --dry-run --outdir dist` (with `--minify` if asked); rejects with Wrangler's output if it fails. */
export async function buildWorker({ entry, outdir = DIST_DIR, minify = false }: WorkerBuild = {}): Promise<BuildResult> {
  await rm(outdir, { recursive: true, force: true });
  const args = [WRANGLER, "deploy", ...(entry ? [entry] : []), "--dry-run", ...(minify ? ["--minify"] : []), "--outdir", outdir, "--env", BUILD_ENV];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start Wrangler: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(text);
      else reject(new Error(`wrangler deploy --dry-run failed (${signal ?? `exit ${code}`}):\n${stripVTControlCharacters(text).trim()}`));
    });
  });
  const bundlePath = path.join(outdir, entry ? `${path.basename(entry, path.extname(entry))}.js` : "index.js");
  const found = await stat(bundlePath).catch(() => undefined);
  if (!found?.isFile()) throw new Error(`wrangler reported success but wrote no ${path.relative(ROOT, bundlePath)}:\n${output.trim()}`);
  return measureBundle(bundlePath);
}

/**
 * Bundles bench/bare-worker.ts with esbuild into one ES module at `outfile`, with the options
 * Wrangler 4 gives esbuild for this project (target es2024, workerd conditions, not minified, and
 * no keepNames: wrangler.toml's `keep_names = false`), so the two Workers differ only in their code.
 */
export async function buildBareWorker(outfile: string): Promise<BuildResult> {
  return bundleBenchWorker("bare-worker.ts", outfile);
}

/** Bundles one of bench/'s own Workers (`entry`, a file in bench/) as Wrangler would; see buildBareWorker. */
export async function bundleBenchWorker(entry: string, outfile: string): Promise<BuildResult> {
  await esbuild({
    entryPoints: [path.join(ROOT, "bench", entry)],
    outfile,
    bundle: true,
    format: "esm",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    // The runtime's own modules, as Wrangler leaves them.
    external: ["cloudflare:*"],
    minify: false,
    keepNames: false,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  return measureBundle(outfile);
}

export function formatBuild(result: BuildResult): string {
  const relative = path.relative(process.cwd(), result.bundlePath);
  return `bundle ${relative.startsWith("..") ? result.bundlePath : relative}: ${kib(result.rawBytes)} raw, ${kib(result.gzipBytes)} gzip (level 9)`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(formatBuild(await buildWorker()));
  } catch (error) {
    console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
