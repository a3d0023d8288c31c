/**
 * Turns Redis replies into Upstash's JSON answers: `{"result": ...}` or `{"error": "..."}`.
 * With `Upstash-Encoding: base64` every string is base64 (binary-safe), except a top-level
 * "OK" status; numbers and null stay as they are and errors are never encoded.
 * Without it, strings are UTF-8 with invalid bytes replaced by U+FFFD, as Upstash does.
 */

import { RedisError, type RespReply } from "./resp.ts";

/** The JSON text of one reply; integers beyond 2^53 keep their exact digits. */
export function renderValue(reply: RespReply, base64: boolean, topLevel = true): string {
  if (reply === null) return "null";
  if (typeof reply === "number" || typeof reply === "bigint") return reply.toString();
  if (typeof reply === "string") {
    // The SDK leaves a bare "OK" result undecoded; nested strings it always decodes.
    const plain = !base64 || (topLevel && reply === "OK");
    return JSON.stringify(plain ? reply : Buffer.from(reply, "utf8").toString("base64"));
  }
  if (Buffer.isBuffer(reply)) return JSON.stringify(base64 ? reply.toString("base64") : reply.toString("utf8"));
  // An error nested in an array (a Lua table can hold one) sits where a string is expected.
  if (reply instanceof RedisError) return renderValue(reply.message, base64, false);
  return `[${reply.map((item) => renderValue(item, base64, false)).join(",")}]`;
}

/** `{"result": ...}`, or `{"error": "..."}` for an error reply. */
export function renderResult(reply: RespReply, base64: boolean): string {
  if (reply instanceof RedisError) return renderError(reply.message);
  return `{"result":${renderValue(reply, base64)}}`;
}

/** The answer of /pipeline and /multi-exec: one entry per command, in order. */
export function renderResults(replies: readonly RespReply[], base64: boolean): string {
  return `[${replies.map((reply) => renderResult(reply, base64)).join(",")}]`;
}

export function renderError(message: string): string {
  return JSON.stringify({ error: message });
}
