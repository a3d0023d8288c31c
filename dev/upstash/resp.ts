/**
 * RESP2, the Redis wire protocol: a command encoder and a streaming reply parser.
 * Bulk strings stay Buffers so binary values pass through untouched.
 */

export type Arg = string | Buffer;

/** An error reply from Redis (`-ERR ...`); a value, not an exception. */
export class RedisError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * One reply: simple strings are JS strings, bulk strings Buffers, integers numbers
 * (bigint beyond 2^53), nil null, arrays arrays.
 */
export type RespReply = string | Buffer | number | bigint | null | RedisError | RespReply[];

const CRLF = Buffer.from("\r\n");

export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

const INCOMPLETE = Symbol("incomplete");

interface Frame {
  items: RespReply[];
  left: number;
}

/**
 * Resumable parser: array nesting lives on an explicit stack, so a reply split across
 * many TCP chunks is never re-parsed from its start.
 */
export class RespParser {
  readonly #onReply: (reply: RespReply) => void;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Bytes the unparsed input must reach before another attempt can progress. */
  #need = 0;
  readonly #stack: Frame[] = [];

  constructor(onReply: (reply: RespReply) => void) {
    this.#onReply = onReply;
  }

  /** Throws on a protocol violation; the connection must then be discarded. */
  feed(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    // A large bulk string arrives in many chunks: wait for all of it before concatenating.
    if (this.#buffered < this.#need) return;
    const buffer = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    let position = 0;
    for (;;) {
      const next = this.#step(buffer, position);
      if (next === INCOMPLETE) break;
      position = next;
    }
    const rest = buffer.subarray(position);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
  }

  /** Parses one item at `start`; returns where the next one begins. */
  #step(buffer: Buffer, start: number): number | typeof INCOMPLETE {
    if (start >= buffer.length) {
      this.#need = 1;
      return INCOMPLETE;
    }
    const lineEnd = buffer.indexOf(CRLF, start);
    if (lineEnd < 0) {
      this.#need = buffer.length - start + 1;
      return INCOMPLETE;
    }
    const line = buffer.toString("utf8", start + 1, lineEnd);
    let next = lineEnd + 2;
    let value: RespReply;
    switch (buffer[start]) {
      case 0x2b: // +
        value = line;
        break;
      case 0x2d: // -
        value = new RedisError(line);
        break;
      case 0x3a: // :
        value = toInteger(line);
        break;
      case 0x24: {
        // $
        const length = toLength(line);
        if (length < 0) {
          value = null;
          break;
        }
        if (buffer.length < next + length + 2) {
          this.#need = next + length + 2 - start;
          return INCOMPLETE;
        }
        // Copy, so a small value does not pin the whole socket chunk in memory.
        value = Buffer.from(buffer.subarray(next, next + length));
        next += length + 2;
        break;
      }
      case 0x2a: {
        // *
        const length = toLength(line);
        if (length > 0) {
          this.#stack.push({ items: [], left: length });
          this.#need = 0;
          return next;
        }
        value = length < 0 ? null : [];
        break;
      }
      default:
        throw new Error(`RESP protocol error: unexpected type byte ${buffer[start]}`);
    }
    this.#need = 0;
    this.#complete(value);
    return next;
  }

  #complete(value: RespReply): void {
    let current = value;
    for (;;) {
      const top = this.#stack.at(-1);
      if (!top) {
        this.#onReply(current);
        return;
      }
      top.items.push(current);
      if (--top.left > 0) return;
      this.#stack.pop();
      current = top.items;
    }
  }
}

function toInteger(text: string): number | bigint {
  const value = Number(text);
  if (Number.isSafeInteger(value)) return value;
  if (!/^-?\d+$/.test(text)) throw new Error(`RESP protocol error: bad integer ${JSON.stringify(text)}`);
  return BigInt(text);
}

function toLength(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < -1) {
    throw new Error(`RESP protocol error: bad length ${JSON.stringify(text)}`);
  }
  return value;
}
