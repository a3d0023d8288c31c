/**
 * A raw RESP2 client over `net`: pipelined connections, a small shared pool and
 * dedicated connections for blocking commands and MULTI..EXEC.
 * Not ioredis: it reshapes replies (HGETALL to an object...) and the REST answers must be raw.
 */

import net from "node:net";
import type { Logger } from "../logger.ts";
import { encodeCommand, RedisError, RespParser, type Arg, type RespReply } from "./resp.ts";

export interface RedisTarget {
  host: string;
  port: number;
  password?: string;
  username?: string;
  db?: number;
}

/** Parses `redis://[user:pass@]host:port[/db]`. */
export function parseRedisUrl(url: string): RedisTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== "redis:") throw new Error(`Not a redis:// URL (protocol ${parsed.protocol})`);
  const target: RedisTarget = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.username) target.username = decodeURIComponent(parsed.username);
  if (parsed.password) target.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, "");
  if (db) {
    if (!/^\d+$/.test(db)) throw new Error("The database in a redis:// URL must be a number");
    target.db = Number(db);
  }
  return target;
}

/** Redis cannot be reached, or the connection broke before the reply came. */
export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

interface Waiter {
  resolve(reply: RespReply): void;
  reject(error: Error): void;
}

const CONNECT_TIMEOUT_MS = 3000;

export class RedisConnection {
  readonly #socket: net.Socket;
  readonly #waiters: Waiter[] = [];
  #closed = false;

  /** Connects, authenticates and selects the database; `onClose` runs once when it breaks. */
  static async open(target: RedisTarget, onClose: (closed: RedisConnection) => void): Promise<RedisConnection> {
    const socket = await connectSocket(target);
    const connection = new RedisConnection(socket, onClose);
    const handshake: Arg[][] = [];
    if (target.password !== undefined) {
      handshake.push(target.username ? ["AUTH", target.username, target.password] : ["AUTH", target.password]);
    }
    if (target.db) handshake.push(["SELECT", String(target.db)]);
    if (handshake.length === 0) return connection;
    const replies = await connection.exec(handshake);
    const refused = replies.find((reply) => reply instanceof RedisError);
    if (refused) {
      connection.destroy();
      throw new RedisUnavailableError(`Redis refused the connection handshake: ${refused.message}`);
    }
    return connection;
  }

  private constructor(socket: net.Socket, onClose: (closed: RedisConnection) => void) {
    this.#socket = socket;
    const parser = new RespParser((reply) => this.#settle(reply));
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on("data", (chunk: Buffer) => {
      try {
        parser.feed(chunk);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on("error", () => {}); // the close event that follows reports it
    socket.once("close", () => {
      this.#closed = true;
      const failure = new RedisUnavailableError("The Redis connection closed before the reply came");
      for (const waiter of this.#waiters.splice(0)) waiter.reject(failure);
      onClose(this);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Replies still awaited; a connection with some is mid-command and must not be reused elsewhere. */
  get pending(): number {
    return this.#waiters.length;
  }

  /**
   * Sends the commands in one write and resolves with their replies in order;
   * Redis error replies are values, only a broken connection rejects.
   */
  exec(commands: readonly (readonly Arg[])[]): Promise<RespReply[]> {
    if (this.#closed) return Promise.reject(new RedisUnavailableError("The Redis connection is closed"));
    const replies = commands.map(
      () => new Promise<RespReply>((resolve, reject) => this.#waiters.push({ resolve, reject })),
    );
    this.#socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #settle(reply: RespReply): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(reply);
    else this.#socket.destroy(new Error("Redis sent a reply nobody asked for"));
  }
}

function connectSocket(target: RedisTarget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new RedisUnavailableError(`Cannot connect to Redis at ${target.host}:${target.port}: ${error.message}`));
    };
    const timer = setTimeout(() => fail(new Error(`timed out after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    socket.once("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}

/**
 * A few shared connections, used round-robin with pipelining, plus idle dedicated ones.
 * Broken connections are dropped and replaced lazily on the next use.
 */
export class RedisPool {
  readonly #target: RedisTarget;
  readonly #logger: Logger;
  readonly #size: number;
  readonly #shared: (Promise<RedisConnection> | undefined)[];
  readonly #idle: RedisConnection[] = [];
  readonly #open = new Set<RedisConnection>();
  #next = 0;
  #reachable = true;
  #closed = false;

  constructor(target: RedisTarget, options: { logger: Logger; size?: number }) {
    this.#target = target;
    this.#logger = options.logger;
    this.#size = options.size ?? 4;
    this.#shared = new Array(this.#size).fill(undefined);
  }

  /** Runs the commands, in order and in one write, on a shared connection. */
  async exec(commands: readonly (readonly Arg[])[]): Promise<RespReply[]> {
    const connection = await this.#sharedConnection();
    return connection.exec(commands);
  }

  /**
   * Lends a connection nobody else writes to, for blocking commands and transactions.
   * An abort (the HTTP client went away) destroys it, which also ends a blocked command.
   */
  async dedicated<T>(use: (connection: RedisConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let connection = this.#idle.pop();
    while (connection?.closed) connection = this.#idle.pop();
    connection ??= await this.#connect();
    const lent = connection;
    const abort = () => lent.destroy();
    if (signal?.aborted) abort();
    signal?.addEventListener("abort", abort, { once: true });
    try {
      return await use(lent);
    } finally {
      signal?.removeEventListener("abort", abort);
      const reusable = !this.#closed && !lent.closed && lent.pending === 0 && this.#idle.length < this.#size;
      if (reusable) this.#idle.push(lent);
      else lent.destroy();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const connection of this.#open) connection.destroy();
    this.#open.clear();
    this.#idle.length = 0;
  }

  async #sharedConnection(): Promise<RedisConnection> {
    const index = this.#next;
    this.#next = (index + 1) % this.#size;
    const current = this.#shared[index];
    if (current) {
      const connection = await current.catch(() => undefined);
      if (connection && !connection.closed) return connection;
    }
    // Another caller may already have replaced the broken one while we waited.
    if (this.#shared[index] === current) this.#shared[index] = this.#connect();
    return this.#shared[index]!;
  }

  async #connect(): Promise<RedisConnection> {
    if (this.#closed) throw new RedisUnavailableError("The Upstash server is closed");
    try {
      const connection = await RedisConnection.open(this.#target, (closed) => this.#open.delete(closed));
      if (!connection.closed) this.#open.add(connection);
      if (!this.#reachable) this.#logger.info("Redis is reachable again");
      this.#reachable = true;
      return connection;
    } catch (error) {
      // Log transitions only, so a Redis that stays down does not flood the log.
      if (this.#reachable) this.#logger.warn("Redis is unreachable", { error: (error as Error).message });
      this.#reachable = false;
      throw error;
    }
  }
}
