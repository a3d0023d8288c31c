import { describe, expect, it } from "vitest";
import { TerminateDetector } from "./terminate-detector.ts";

/** An untyped message (before StartupMessage): int32 length, int32 code, body. */
function untyped(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(code, 4);
  return Buffer.concat([header, body]);
}

/** A typed message: type byte, int32 length (itself included), body. */
function typed(type: string, body: Buffer | string = Buffer.alloc(0)): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body, "latin1") : body;
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(4 + payload.length, 1);
  return Buffer.concat([header, payload]);
}

const TERMINATE_BYTES = "X\x00\x00\x00\x04";
const terminate = typed("X");
const startup = untyped(196608, Buffer.from(`user\0${TERMINATE_BYTES}\0database\0db\0\0`, "latin1"));
const sslRequest = untyped(80877103);
const gssencRequest = untyped(80877104);
const query = typed("Q", `SELECT '${TERMINATE_BYTES}'\0`);
const parseBindExecuteSync = Buffer.concat([
  typed("P", `\0SELECT $1\0\0\0`),
  typed("B", `\0\0\0\0\0\x01\0\0\0\x05${TERMINATE_BYTES}\0\0`),
  typed("E", "\0\0\0\0\0"),
  typed("S"),
]);

/** Feeds the chunks in order; returns the result of each push. */
function pushAll(detector: TerminateDetector, ...chunks: Buffer[]): boolean[] {
  return chunks.map((chunk) => detector.push(chunk));
}

describe("TerminateDetector", () => {
  it("finds Terminate after the startup message", () => {
    expect(pushAll(new TerminateDetector(), startup, terminate)).toEqual([false, true]);
  });

  it("finds Terminate at the end of a chunk holding several messages", () => {
    expect(new TerminateDetector().push(Buffer.concat([startup, query, parseBindExecuteSync, terminate]))).toBe(true);
  });

  it("does not see Terminate in the payload of the startup message, a Query or a Bind", () => {
    expect(pushAll(new TerminateDetector(), startup, query, parseBindExecuteSync)).toEqual([false, false, false]);
  });

  it("reads the first message as untyped, so Terminate bytes opening the stream do not count", () => {
    // 'X' 0 0 0 4 read as an 8-byte header: length 0x58000000, code 0x04xxxxxx.
    expect(new TerminateDetector().push(Buffer.concat([terminate, Buffer.from([0, 0, 0])]))).toBe(false);
  });

  it("does not take an X message of another length for Terminate, and keeps following after it", () => {
    expect(pushAll(new TerminateDetector(), startup, typed("X", TERMINATE_BYTES), terminate)).toEqual([false, false, true]);
  });

  it("finds Terminate split across two chunks", () => {
    expect(pushAll(new TerminateDetector(), startup, terminate.subarray(0, 2), terminate.subarray(2))).toEqual([
      false,
      false,
      true,
    ]);
  });

  const stream = Buffer.concat([startup, query, parseBindExecuteSync, terminate]);

  it("finds Terminate only on the last byte when fed one byte at a time", () => {
    const detector = new TerminateDetector();
    const results = [...stream].map((byte) => detector.push(Buffer.from([byte])));
    expect(results.indexOf(true)).toBe(stream.length - 1);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("finds Terminate in the second chunk wherever the stream is split", () => {
    for (let i = 0; i < stream.length; i++) {
      const results = pushAll(new TerminateDetector(), stream.subarray(0, i), stream.subarray(i));
      expect(results, `split at ${i}`).toEqual([false, true]);
    }
  });

  it("finds Terminate in the last chunk wherever the stream is split in three", () => {
    for (let i = 0; i < stream.length; i++) {
      for (let j = i; j < stream.length; j++) {
        const results = pushAll(new TerminateDetector(), stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j));
        if (results.join() !== "false,false,true") expect(results, `split at ${i}, ${j}`).toEqual([false, false, true]);
      }
    }
  });

  it("never finds Terminate in a stream without one, wherever it is split", () => {
    const noTerminate = Buffer.concat([startup, query, parseBindExecuteSync, query]);
    for (let i = 0; i <= noTerminate.length; i++) {
      const results = pushAll(new TerminateDetector(), noTerminate.subarray(0, i), noTerminate.subarray(i));
      expect(results, `split at ${i}`).toEqual([false, false]);
    }
  });

  it("skips the body of a CancelRequest", () => {
    const cancel = untyped(80877102, Buffer.from(`\0\0\0\x01${TERMINATE_BYTES.slice(0, 4)}`, "latin1"));
    expect(new TerminateDetector().push(cancel)).toBe(false);
  });

  it("stops following a stream whose message length is impossible", () => {
    const detector = new TerminateDetector();
    const broken = Buffer.from([0x51, 0, 0, 0, 2]); // 'Q' with a length below 4
    expect(pushAll(detector, startup, broken, terminate)).toEqual([false, false, false]);
  });
});

describe("TerminateDetector with SSL and GSS requests", () => {
  it("keeps following the stream when the server refuses SSL", () => {
    const detector = new TerminateDetector();
    expect(detector.push(sslRequest)).toBe(false);
    detector.serverSent(Buffer.from("N"));
    expect(pushAll(detector, startup, query, terminate)).toEqual([false, false, true]);
  });

  it("stops looking once the server accepts SSL, since the bytes are then encrypted", () => {
    const detector = new TerminateDetector();
    detector.push(sslRequest);
    detector.serverSent(Buffer.from("S"));
    expect(pushAll(detector, startup, terminate)).toEqual([false, false]);
  });

  it("stops looking once the server accepts GSS encryption", () => {
    const detector = new TerminateDetector();
    detector.push(gssencRequest);
    detector.serverSent(Buffer.from("G"));
    expect(pushAll(detector, startup, terminate)).toEqual([false, false]);
  });

  it("follows a GSS refusal then an SSL refusal", () => {
    const detector = new TerminateDetector();
    detector.push(gssencRequest);
    detector.serverSent(Buffer.from("N"));
    detector.push(sslRequest);
    detector.serverSent(Buffer.from("N"));
    expect(pushAll(detector, startup, terminate)).toEqual([false, true]);
  });

  it("ignores server bytes when no upgrade was asked (a ParameterStatus starts with S)", () => {
    const detector = new TerminateDetector();
    detector.push(startup);
    detector.serverSent(typed("S", "client_encoding\0UTF8\0"));
    detector.serverSent(typed("G"));
    expect(detector.push(terminate)).toBe(true);
  });

  it("ignores an empty server chunk while waiting for the answer", () => {
    const detector = new TerminateDetector();
    detector.push(sslRequest);
    detector.serverSent(Buffer.alloc(0));
    detector.serverSent(Buffer.from("S"));
    expect(pushAll(detector, startup, terminate)).toEqual([false, false]);
  });
});
