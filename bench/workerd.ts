// Runs one bundled Worker on workerd directly (no Wrangler, no Miniflare proxy), on 127.0.0.1 with
// a port the kernel picks, which workerd reports on its control descriptor.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, closeSync, constants, openSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { attachedModules, ROOT, type AttachedModule } from "./build.ts";

const WORKERD = path.join(ROOT, "node_modules", "workerd", "bin", "workerd");
const START_TIMEOUT_MS = 20_000;
/** workerd under a launcher such as valgrind starts some fifty times slower. */
const LAUNCHED_START_TIMEOUT_MS = 600_000;
const STOP_TIMEOUT_MS = 5_000;

export interface WorkerdOptions {
  /** A label for messages and the temporary directory. */
  name: string;
  /** One ES module: the Worker's whole bundle. */
  bundlePath: string;
  /** Text bindings (what `[vars]` and secrets are on Cloudflare). */
  bindings?: Record<string, string>;
  /** Durable Object namespaces the bundle exports, each bound by name; stored in the temporary directory. */
  durableObjects?: DurableObjectBinding[];
  /** Queue producer bindings, each bound to a stand-in that accepts every message and drops it. */
  queues?: string[];
  compatibilityDate: string;
  compatibilityFlags?: string[];
  /**
   * workerd's stdout, where console.log lines go (the app writes one per request): "discard"
   * (/dev/null, the default) or "file" (the log file). stderr always goes to the log file, a file
   * in the temporary directory deleted on close unless `keepLog`.
   */
  stdout?: "discard" | "file";
  keepLog?: boolean;
  /** A program that runs workerd, its arguments first (e.g. valgrind's callgrind); none by default. */
  launcher?: string[];
}

export interface DurableObjectBinding {
  /** The binding's name, e.g. RATE_COUNTER. */
  name: string;
  /** The exported class. */
  className: string;
  /** Created by a `new_sqlite_classes` migration: the object may use `ctx.storage.sql`. */
  sqlite: boolean;
}

export interface WorkerdInstance {
  name: string;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  pid: number;
  logPath: string;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every workerd this process started; for exit paths that cannot wait. */
export function killAllWorkerdSync(): void {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** `compatibility_date` and `compatibility_flags` from the top level of wrangler.toml. */
export function readWranglerCompatibility(file = path.join(ROOT, "wrangler.toml")): { compatibilityDate: string; compatibilityFlags: string[] } {
  const text = readFileSync(file, "utf8");
  const topLevel = text.split(/^\s*\[/m)[0] ?? "";
  const date = /^\s*compatibility_date\s*=\s*["'](\d{4}-\d{2}-\d{2})["']/m.exec(topLevel)?.[1];
  if (!date) throw new Error(`no top-level compatibility_date in ${file}`);
  const flagsText = /^\s*compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(topLevel)?.[1] ?? "";
  const compatibilityFlags = [...flagsText.matchAll(/["']([^"']+)["']/g)].map((match) => match[1]!);
  return { compatibilityDate: date, compatibilityFlags };
}

/**
 * The Durable Object bindings of one wrangler.toml environment (bindings are not inherited), read
 * with wrangler's own reader, each marked SQLite-backed when a migration created its class so.
 */
export function readWranglerDurableObjects(env: string, file = path.join(ROOT, "wrangler.toml")): DurableObjectBinding[] {
  const config = unstable_readConfig({ config: file, env }, { hideWarnings: true });
  const migrations: Array<{ new_sqlite_classes?: string[] }> = config.migrations;
  const sqlite = new Set(migrations.flatMap((migration) => migration.new_sqlite_classes ?? []));
  const bindings: Array<{ name: string; class_name: string; script_name?: string }> = config.durable_objects.bindings;
  return bindings.map((binding) => {
    if (binding.script_name) throw new Error(`${binding.name}: a Durable Object of another Worker (${binding.script_name}) cannot run here`);
    return { name: binding.name, className: binding.class_name, sqlite: sqlite.has(binding.class_name) };
  });
}

/** The queue producer bindings of one wrangler.toml environment (bindings are not inherited). */
export function readWranglerQueues(env: string, file = path.join(ROOT, "wrangler.toml")): string[] {
  const config = unstable_readConfig({ config: file, env }, { hideWarnings: true });
  const producers: Array<{ binding: string }> = config.queues.producers ?? [];
  return producers.map((producer) => producer.binding);
}

/**
 * The stand-in for every queue: workerd turns a producer's `send()` into an HTTP request to the bound
 * service and expects the queue's metrics back. Nothing consumes the messages; no scenario needs them.
 */
const QUEUE_SINK = `export default { async fetch(request) { await request.arrayBuffer(); return Response.json({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: 0 } } }); } };`;

/** A Cap'n Proto text literal. */
function capnpString(value: string): string {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) throw new Error(`unsupported control character in ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}

/**
 * Where each instance's directory, and so its Durable Objects' SQLite files, go: memory (/dev/shm)
 * where the machine has it. workerd commits a Durable Object's writes on its one thread, so on a
 * disk every commit's flush stalls every request of the instance: a metrics flush or a rate lease
 * cost the Worker 10-20 % of its requests/s on this machine's disk. In production the storage is
 * not on the Worker's thread, and that stall is not what the bench measures.
 */
export const INSTANCE_ROOT = writableDirectory("/dev/shm") ?? tmpdir();

function writableDirectory(directory: string): string | undefined {
  try {
    accessSync(directory, constants.W_OK);
    return directory;
  } catch {
    return undefined;
  }
}

/** The disk service that holds the Durable Objects' storage, in the instance's temporary directory. */
const STORAGE_SERVICE = "durable-object-storage";

/**
 * The config: one Worker on 127.0.0.1:0, and an "internet" service that reaches loopback only. Its
 * Durable Objects, if any, keep their storage in `storageDir` (workerd's in-memory storage has no
 * SQLite), which goes with the temporary directory.
 */
export function workerdConfig(
  options: Pick<WorkerdOptions, "bindings" | "durableObjects" | "queues" | "compatibilityDate" | "compatibilityFlags">,
  moduleFile: string,
  storageDir: string,
  attached: readonly AttachedModule[] = [],
): string {
  const durableObjects = options.durableObjects ?? [];
  const queues = options.queues ?? [];
  const bindings = [
    ...Object.entries(options.bindings ?? {}).map(([name, value]) => `    (name = ${capnpString(name)}, text = ${capnpString(value)}),`),
    ...durableObjects.map(({ name, className }) => `    (name = ${capnpString(name)}, durableObjectNamespace = ${capnpString(className)}),`),
    ...queues.map((name) => `    (name = ${capnpString(name)}, queue = "queue-sink"),`),
  ];
  const queueSink = `
    (name = "queue-sink", worker = (modules = [(name = "sink.js", esModule = ${capnpString(QUEUE_SINK)})], compatibilityDate = ${capnpString(options.compatibilityDate)})),`;
  const namespaces = durableObjects.map(
    ({ className, sqlite }) => `    (className = ${capnpString(className)}, uniqueKey = ${capnpString(`bench-${className}`)}, enableSql = ${sqlite}),`,
  );
  const storageService = `
    (name = ${capnpString(STORAGE_SERVICE)}, disk = (path = ${capnpString(storageDir)}, writable = true)),`;
  const storage = `
  durableObjectNamespaces = [
${namespaces.join("\n")}
  ],
  durableObjectStorage = (localDisk = ${capnpString(STORAGE_SERVICE)}),`;
  const hasObjects = durableObjects.length > 0;
  const flags = (options.compatibilityFlags ?? []).map(capnpString).join(", ");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The Worker's global fetch() may reach this machine's loopback addresses and nothing else.
    (name = "internet", network = (allow = ["127.0.0.0/8", "::1/128"])),${hasObjects ? storageService : ""}${queues.length > 0 ? queueSink : ""}
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed ${capnpString(moduleFile)}),
${attached.map(({ file, kind }) => `    (name = ${capnpString(file)}, ${kind} = embed ${capnpString(file)}),`).join("\n")}
  ],
  compatibilityDate = ${capnpString(options.compatibilityDate)},
  compatibilityFlags = [${flags}],
  bindings = [
${bindings.join("\n")}
  ],${hasObjects ? storage : ""}
);
`;
}

async function tail(file: string, bytes = 4000): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.length > bytes ? `…${text.slice(-bytes)}` : text;
}

/**
 * Starts `workerd serve` with the bundle and bindings in a new temporary directory; resolves once
 * workerd reports its listening port. workerd's stdout and stderr go to a log file there, so the
 * terminal is not flooded and a pipe never blocks the Worker.
 */
export async function startWorkerd(options: WorkerdOptions): Promise<WorkerdInstance> {
  if (!exitHookInstalled) {
    process.on("exit", killAllWorkerdSync);
    exitHookInstalled = true;
  }
  const dir = await mkdtemp(path.join(INSTANCE_ROOT, `bench-workerd-${options.name.replace(/[^\w-]/g, "_")}-`));
  const moduleFile = "worker.js";
  await copyFile(options.bundlePath, path.join(dir, moduleFile));
  // Wrangler writes the modules the bundle imports by file name (WebAssembly, text) beside it.
  const bundleDir = path.dirname(options.bundlePath);
  const attached = await attachedModules(bundleDir);
  await Promise.all(attached.map(({ file }) => copyFile(path.join(bundleDir, file), path.join(dir, file))));
  const configPath = path.join(dir, "config.capnp");
  const storageDir = path.join(dir, "durable-objects");
  await mkdir(storageDir);
  await writeFile(configPath, workerdConfig(options, moduleFile, storageDir, attached));
  const logPath = path.join(dir, "workerd.log");
  const logFd = openSync(logPath, "a");

  const [command, ...args] = [...(options.launcher ?? []), WORKERD, "serve", configPath, "--control-fd=3"];
  const child = spawn(command!, args, {
    cwd: dir,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", options.stdout === "file" ? logFd : "ignore", logFd, "pipe"],
  });
  closeSync(logFd);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => running.delete(child));

  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (!options.keepLog) await rm(dir, { recursive: true, force: true });
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const control = child.stdio[3] as NodeJS.ReadableStream | null;
      if (!control) return reject(new Error("workerd control pipe missing"));
      let buffered = "";
      const startTimeout = options.launcher ? LAUNCHED_START_TIMEOUT_MS : START_TIMEOUT_MS;
      const timer = setTimeout(() => reject(new Error(`workerd did not report a port within ${startTimeout} ms`)), startTimeout);
      control.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          try {
            const message = JSON.parse(line) as { event?: string; socket?: string; port?: number };
            if (message.event === "listen" && message.socket === "http" && typeof message.port === "number") {
              clearTimeout(timer);
              resolve(message.port);
            }
          } catch {
            // not a control message we know
          }
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`could not start workerd: ${error.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`workerd exited before listening (${signal ?? `exit ${code}`})`));
      });
    });
  } catch (error) {
    const log = await tail(logPath);
    await cleanup();
    throw new Error(`${options.name}: ${error instanceof Error ? error.message : String(error)}${log ? `\nworkerd log:\n${log}` : ""}`);
  }

  return {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    logPath,
    close: cleanup,
  };
}

/** Sends one request and checks the status, to fail early with the response when a Worker is broken. */
export async function probe(url: string, expectedStatus: number, init?: RequestInit): Promise<void> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== expectedStatus) {
    throw new Error(`${init?.method ?? "GET"} ${url} answered ${response.status}, expected ${expectedStatus}: ${body.slice(0, 500)}`);
  }
}
