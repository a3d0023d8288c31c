/**
 * Lua scripts: Upstash accepts shebang flags open-source Redis rejects
 * (`#!lua flags=allow-key-locking`, sent by @upstash/ratelimit). They are stripped before
 * the script reaches Redis, and the client keeps using the SHA-1 of its original text:
 * EVALSHA, SCRIPT EXISTS and SCRIPT LOAD are translated through a map.
 */

import { createHash } from "node:crypto";
import { RedisError, type Arg, type RespReply } from "./resp.ts";

const KNOWN_FLAGS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);
const FLAGS_OPTION = /(\s+)flags=(\S*)/;
const MAX_REMEMBERED = 10_000;

/**
 * Client SHA-1 (of the original script) → SHA-1 of the rewritten script Redis knows.
 * Module-level: the rewrite is a pure function of the text, so every connection and
 * server can share it; if Redis forgets the script, NOSCRIPT flows back and the SDK re-EVALs.
 */
const redisShaOf = new Map<string, string>();

export function sha1(script: Arg): string {
  return createHash("sha1").update(script).digest("hex");
}

/** The script without shebang flags Redis does not know, or null when it needs no change. */
export function rewriteScript(script: string): string | null {
  if (!script.startsWith("#!")) return null;
  const newline = script.indexOf("\n");
  const shebang = newline < 0 ? script : script.slice(0, newline);
  const match = FLAGS_OPTION.exec(shebang);
  if (!match) return null;
  const flags = match[2]!.split(",").filter((flag) => flag !== "");
  const kept = flags.filter((flag) => KNOWN_FLAGS.has(flag));
  if (kept.length === flags.length) return null;
  const option = kept.length > 0 ? `${match[1]}flags=${kept.join(",")}` : "";
  const rewritten = shebang.slice(0, match.index) + option + shebang.slice(match.index + match[0].length);
  return rewritten + script.slice(shebang.length);
}

/** A command ready for Redis, and how to turn Redis's reply back into what the client expects. */
export interface PreparedCommand {
  args: Arg[];
  mapReply(reply: RespReply): RespReply;
}

const unchanged = (reply: RespReply): RespReply => reply;

export function prepareScriptCommand(args: Arg[]): PreparedCommand {
  const name = lower(args[0]);
  if ((name === "eval" || name === "eval_ro") && args.length > 1) {
    return { args: replaceAt(args, 1, rewriteAndRemember(args[1]!).script), mapReply: unchanged };
  }
  if ((name === "evalsha" || name === "evalsha_ro") && args.length > 1) {
    return { args: replaceAt(args, 1, redisSha(args[1]!)), mapReply: unchanged };
  }
  if (name === "script") {
    const subcommand = lower(args[1]);
    if (subcommand === "load" && args.length === 3) {
      const { script, clientSha } = rewriteAndRemember(args[2]!);
      // Redis answers with the rewritten script's SHA-1; the client expects the one of its own text.
      const mapReply = (reply: RespReply) => (reply instanceof RedisError ? reply : Buffer.from(clientSha));
      return { args: replaceAt(args, 2, script), mapReply };
    }
    if (subcommand === "exists") {
      return { args: args.map((arg, i) => (i < 2 ? arg : redisSha(arg))), mapReply: unchanged };
    }
  }
  return { args, mapReply: unchanged };
}

function rewriteAndRemember(script: Arg): { script: Arg; clientSha: string } {
  const clientSha = sha1(script);
  // Latin-1 maps bytes to characters one to one, so a Buffer script round-trips exactly.
  const text = typeof script === "string" ? script : script.toString("latin1");
  const rewritten = rewriteScript(text);
  if (rewritten === null) return { script, clientSha };
  const sent = typeof script === "string" ? rewritten : Buffer.from(rewritten, "latin1");
  remember(clientSha, sha1(sent));
  return { script: sent, clientSha };
}

function remember(clientSha: string, sha: string): void {
  redisShaOf.delete(clientSha);
  redisShaOf.set(clientSha, sha);
  if (redisShaOf.size > MAX_REMEMBERED) redisShaOf.delete(redisShaOf.keys().next().value!);
}

function redisSha(sha: Arg): Arg {
  const key = (typeof sha === "string" ? sha : sha.toString("latin1")).toLowerCase();
  return redisShaOf.get(key) ?? sha;
}

function replaceAt(args: Arg[], index: number, value: Arg): Arg[] {
  const copy = args.slice();
  copy[index] = value;
  return copy;
}

function lower(arg: Arg | undefined): string {
  if (arg === undefined) return "";
  return (typeof arg === "string" ? arg : arg.toString("latin1")).toLowerCase();
}
