/**
 * Runs REST commands on Redis: refuses what cannot work over stateless HTTP, sends
 * blocking commands and transactions to dedicated connections, the rest to the shared pool.
 */

import type { RedisPool } from "./resp-client.ts";
import { RedisError, type Arg, type RespReply } from "./resp.ts";
import { prepareScriptCommand, type PreparedCommand } from "./scripts.ts";

/**
 * Commands that need a connection of their own (pub/sub, MONITOR, transactions spread over
 * requests) or would change the state of a shared one (SELECT, AUTH, HELLO, CLIENT REPLY...).
 */
const REFUSED = new Set([
  "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
  "monitor", "select", "quit", "multi", "exec", "watch", "unwatch", "discard",
  "auth", "hello", "reset", "client", "sync", "psync", "replconf",
]);

const BLOCKING = new Set([
  "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "wait", "waitaof",
]);

interface Runnable extends PreparedCommand {
  blocking: boolean;
}

export function commandName(command: readonly Arg[]): string {
  const name = command[0];
  return (typeof name === "string" ? name : (name?.toString("latin1") ?? "")).toLowerCase();
}

export function isBlocking(command: readonly Arg[]): boolean {
  const name = commandName(command);
  if (BLOCKING.has(name)) return true;
  if (name !== "xread" && name !== "xreadgroup") return false;
  // Options come before STREAMS; after it every argument is a stream key or an id.
  const options = command.slice(1);
  const streams = options.findIndex((arg) => String(arg).toLowerCase() === "streams");
  return (streams < 0 ? options : options.slice(0, streams)).some((arg) => String(arg).toLowerCase() === "block");
}

export class CommandRunner {
  readonly #pool: RedisPool;

  constructor(pool: RedisPool) {
    this.#pool = pool;
  }

  /** One command; a Redis error reply comes back as a RedisError value. */
  async one(command: Arg[], signal?: AbortSignal): Promise<RespReply> {
    const [reply] = await this.pipeline([command], signal);
    return reply!;
  }

  /** Every command runs, in order, even after one fails; exactly one reply each. */
  async pipeline(commands: Arg[][], signal?: AbortSignal): Promise<RespReply[]> {
    const prepared = commands.map(prepare);
    const runnable = prepared.filter((entry): entry is Runnable => !(entry instanceof RedisError));
    const sent = runnable.map((entry) => entry.args);
    let replies: RespReply[] = [];
    if (runnable.some((entry) => entry.blocking)) {
      replies = await this.#pool.dedicated((connection) => connection.exec(sent), signal);
    } else if (sent.length > 0) {
      replies = await this.#pool.exec(sent);
    }
    let next = 0;
    return prepared.map((entry) => (entry instanceof RedisError ? entry : entry.mapReply(replies[next++]!)));
  }

  /**
   * MULTI, the commands and EXEC in one write on a dedicated connection. Resolves with one
   * reply per command, or with a single error when the transaction was discarded as a whole.
   */
  async transaction(commands: Arg[][], signal?: AbortSignal): Promise<RespReply[] | RedisError> {
    const prepared = commands.map(prepare);
    const refused = prepared.find((entry) => entry instanceof RedisError);
    if (refused) return refused;
    const runnable = prepared as Runnable[];
    const replies = await this.#pool.dedicated(
      (connection) => connection.exec([["MULTI"], ...runnable.map((entry) => entry.args), ["EXEC"]]),
      signal,
    );
    const executed = replies.at(-1);
    if (executed instanceof RedisError) {
      // EXECABORT only says "previous errors": report the queue-time error that caused it.
      const cause = replies.slice(0, -1).find((reply) => reply instanceof RedisError);
      return cause instanceof RedisError ? cause : executed;
    }
    if (!Array.isArray(executed)) return new RedisError("EXECABORT Transaction discarded");
    return executed.map((reply, i) => runnable[i]!.mapReply(reply));
  }
}

function prepare(command: Arg[]): Runnable | RedisError {
  const name = commandName(command);
  if (REFUSED.has(name)) {
    return new RedisError(`ERR Command is not supported by the Upstash REST API: ${name}`);
  }
  return { ...prepareScriptCommand(command), blocking: isBlocking(command) };
}
