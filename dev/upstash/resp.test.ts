import { describe, expect, it } from "vitest";
import { encodeCommand, RedisError, RespParser, type RespReply } from "./resp.ts";

/** Feeds the chunks in order and returns every reply the parser emitted. */
function parse(...chunks: (string | Buffer)[]): RespReply[] {
  const replies: RespReply[] = [];
  const parser = new RespParser((reply) => replies.push(reply));
  for (const chunk of chunks) parser.feed(typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk);
  return replies;
}

describe("encodeCommand", () => {
  it("encodes a command as an array of bulk strings", () => {
    expect(encodeCommand(["SET", "key", "42"]).toString()).toBe("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n");
  });

  it("counts the length of a string in UTF-8 bytes, not characters", () => {
    expect(encodeCommand(["é€"]).toString("utf8")).toBe("*1\r\n$5\r\né€\r\n");
  });

  it("passes binary Buffers through byte for byte, CR LF and NUL included", () => {
    const value = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x24]);
    const encoded = encodeCommand(["SET", value]);
    expect(encoded).toEqual(Buffer.concat([Buffer.from("*2\r\n$3\r\nSET\r\n$5\r\n"), value, Buffer.from("\r\n")]));
  });

  it("encodes an empty argument and an empty command", () => {
    expect(encodeCommand(["ECHO", ""]).toString()).toBe("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
    expect(encodeCommand([]).toString()).toBe("*0\r\n");
  });

  it("produces what the parser reads back as the same bulk strings", () => {
    const args = ["HSET", "h", "field", Buffer.from([0xc3, 0x28, 0x0d, 0x0a])];
    const bytes = args.map((arg) => (typeof arg === "string" ? Buffer.from(arg) : arg));
    expect(parse(encodeCommand(args))).toEqual([bytes]);
  });
});

describe("RespParser reply types", () => {
  it("reads a simple string as a JS string", () => {
    expect(parse("+OK\r\n")).toEqual(["OK"]);
  });

  it("decodes a simple string as UTF-8", () => {
    expect(parse(Buffer.from("+héllo\r\n", "utf8"))).toEqual(["héllo"]);
  });

  it("reads an error as a RedisError value, not an exception", () => {
    const [reply] = parse("-WRONGTYPE Operation against a key\r\n");
    expect(reply).toBeInstanceOf(RedisError);
    expect((reply as RedisError).message).toBe("WRONGTYPE Operation against a key");
  });

  it("reads integers as numbers, negative and zero included", () => {
    expect(parse(":0\r\n:42\r\n:-7\r\n")).toEqual([0, 42, -7]);
  });

  it("keeps the largest safe integers as numbers", () => {
    expect(parse(":9007199254740991\r\n:-9007199254740991\r\n")).toEqual([9007199254740991, -9007199254740991]);
  });

  it("keeps integers beyond 2^53 exact as bigints", () => {
    expect(parse(":9007199254740992\r\n:9007199254740993\r\n:-9223372036854775808\r\n")).toEqual([
      9007199254740992n,
      9007199254740993n,
      -9223372036854775808n,
    ]);
  });

  it("reads a bulk string as a Buffer, binary-safe", () => {
    const [reply] = parse("$6\r\na\r\n\x00\xffb\r\n");
    expect(Buffer.isBuffer(reply)).toBe(true);
    expect(reply).toEqual(Buffer.from([0x61, 0x0d, 0x0a, 0x00, 0xff, 0x62]));
  });

  it("reads an empty bulk string as an empty Buffer", () => {
    expect(parse("$0\r\n\r\n")).toEqual([Buffer.alloc(0)]);
  });

  it("reads a null bulk string and a null array as null", () => {
    expect(parse("$-1\r\n*-1\r\n")).toEqual([null, null]);
  });

  it("reads an empty array", () => {
    expect(parse("*0\r\n")).toEqual([[]]);
  });

  it("reads an array of mixed items, nulls and errors included", () => {
    expect(parse("*5\r\n+OK\r\n:1\r\n$1\r\nx\r\n$-1\r\n-ERR bad\r\n")).toEqual([
      ["OK", 1, Buffer.from("x"), null, new RedisError("ERR bad")],
    ]);
  });

  it("reads nested arrays, an inner array first, last or empty", () => {
    expect(parse("*3\r\n*2\r\n:1\r\n:2\r\n*0\r\n*1\r\n*1\r\n*-1\r\n")).toEqual([[[1, 2], [], [[null]]]]);
  });

  it("reads several replies from one chunk, in order", () => {
    expect(parse("+OK\r\n:1\r\n$2\r\nhi\r\n*1\r\n:2\r\n")).toEqual(["OK", 1, Buffer.from("hi"), [2]]);
  });

  it("emits nothing until a reply is complete", () => {
    expect(parse("*2\r\n:1\r\n$3\r\nab")).toEqual([]);
    expect(parse("+OK\r")).toEqual([]);
  });

  it("throws on an unknown type byte", () => {
    expect(() => parse("?what\r\n")).toThrow(/protocol error/);
  });

  it("throws on a malformed integer or length", () => {
    expect(() => parse(":12abc\r\n")).toThrow(/bad integer/);
    expect(() => parse("$x\r\n")).toThrow(/bad length/);
    expect(() => parse("*-2\r\n")).toThrow(/bad length/);
  });
});

describe("RespParser across chunk boundaries", () => {
  const stream = Buffer.concat([
    Buffer.from("*3\r\n$5\r\nhello\r\n*2\r\n:1\r\n$-1\r\n*-1\r\n", "latin1"),
    Buffer.from("+héllo\r\n", "utf8"),
    Buffer.from("-ERR x\r\n:9007199254740993\r\n$0\r\n\r\n*0\r\n$4\r\na\r\nb\r\n", "latin1"),
  ]);
  const expected: RespReply[] = [
    [Buffer.from("hello"), [1, null], null],
    "héllo",
    new RedisError("ERR x"),
    9007199254740993n,
    Buffer.alloc(0),
    [],
    Buffer.from("a\r\nb"),
  ];

  it("parses the whole stream in one chunk", () => {
    expect(parse(stream)).toEqual(expected);
  });

  it("gives the same replies when fed one byte at a time", () => {
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    expect(parse(...bytes)).toEqual(expected);
  });

  it("gives the same replies when split in two at every offset", () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(parse(stream.subarray(0, i), stream.subarray(i)), `split at ${i}`).toEqual(expected);
    }
  });

  it("gives the same replies when split in three at every pair of offsets", () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const replies = parse(stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j));
        if (!isDeepEqual(replies, expected)) {
          expect(replies, `split at ${i} and ${j}`).toEqual(expected);
        }
      }
    }
  });

  it("waits for a large bulk string delivered in many small chunks", () => {
    const value = Buffer.alloc(100_000, 0x61);
    const whole = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from("\r\n+OK\r\n")]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < whole.length; i += 1000) chunks.push(whole.subarray(i, i + 1000));
    expect(parse(...chunks)).toEqual([value, "OK"]);
  });

  it("emits each reply as soon as its last byte arrives", () => {
    const replies: RespReply[] = [];
    const parser = new RespParser((reply) => replies.push(reply));
    parser.feed(Buffer.from("+OK\r\n:1"));
    expect(replies).toEqual(["OK"]);
    parser.feed(Buffer.from("\r\n"));
    expect(replies).toEqual(["OK", 1]);
  });
});

/** A cheap deep equality, so the quadratic split test only calls expect() on a mismatch. */
function isDeepEqual(a: RespReply | undefined, b: RespReply | undefined): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => isDeepEqual(x, b[i]));
  if (a instanceof RedisError && b instanceof RedisError) return a.message === b.message;
  return a === b;
}
