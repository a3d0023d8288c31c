import { describe, expect, it } from "vitest";
import { renderError, renderResult, renderResults, renderValue } from "./encoding.ts";
import { RedisError } from "./resp.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("renderValue without base64", () => {
  it("renders strings, bulk strings, numbers and null as JSON", () => {
    expect(renderValue("PONG", false)).toBe('"PONG"');
    expect(renderValue(Buffer.from('say "hi"'), false)).toBe('"say \\"hi\\""');
    expect(renderValue(-3, false)).toBe("-3");
    expect(renderValue(null, false)).toBe("null");
  });

  it("keeps every digit of an integer beyond 2^53", () => {
    expect(renderValue(9007199254740993n, false)).toBe("9007199254740993");
  });

  it("replaces invalid UTF-8 bytes with U+FFFD", () => {
    expect(JSON.parse(renderValue(Buffer.from([0x61, 0xff, 0x62]), false))).toBe("a\uFFFDb");
  });

  it("renders nested arrays", () => {
    expect(JSON.parse(renderValue([Buffer.from("a"), [1, null, ["OK"]], []], false))).toEqual(["a", [1, null, ["OK"]], []]);
  });
});

describe("renderValue with base64", () => {
  it("encodes bulk strings byte for byte", () => {
    expect(renderValue(Buffer.from([0x00, 0xff]), true)).toBe(JSON.stringify("AP8="));
  });

  it("encodes simple strings, except a top-level OK status", () => {
    expect(renderValue("OK", true)).toBe('"OK"');
    expect(renderValue("PONG", true)).toBe(JSON.stringify(b64("PONG")));
  });

  it("encodes a bulk string OK at the top level (a value, not a status)", () => {
    expect(renderValue(Buffer.from("OK"), true)).toBe(JSON.stringify(b64("OK")));
  });

  it("encodes strings at any depth, a nested OK included", () => {
    const reply = [Buffer.from("a"), "OK", [Buffer.from("b"), ["c"]]];
    expect(JSON.parse(renderValue(reply, true))).toEqual([b64("a"), b64("OK"), [b64("b"), [b64("c")]]]);
  });

  it("leaves integers, bigints and nulls as they are at any depth", () => {
    expect(renderValue([1, [null, [9007199254740993n]], null], true)).toBe("[1,[null,[9007199254740993]],null]");
  });

  it("renders an error nested in an array as a string in the string encoding", () => {
    expect(JSON.parse(renderValue([new RedisError("ERR inner")], true))).toEqual([b64("ERR inner")]);
    expect(JSON.parse(renderValue([new RedisError("ERR inner")], false))).toEqual(["ERR inner"]);
  });
});

describe("renderResult and renderResults", () => {
  it("wraps a reply in {result}", () => {
    expect(JSON.parse(renderResult(Buffer.from("v"), false))).toEqual({ result: "v" });
    expect(JSON.parse(renderResult(null, true))).toEqual({ result: null });
    expect(JSON.parse(renderResult("OK", true))).toEqual({ result: "OK" });
  });

  it("answers an error reply with {error}, never encoded", () => {
    const error = new RedisError("WRONGTYPE Operation against a key");
    expect(JSON.parse(renderResult(error, true))).toEqual({ error: "WRONGTYPE Operation against a key" });
    expect(JSON.parse(renderResult(error, false))).toEqual({ error: "WRONGTYPE Operation against a key" });
  });

  it("gives one entry per command, in order, errors in their place", () => {
    const replies = ["OK", new RedisError("ERR no"), Buffer.from("x"), 5, null];
    expect(JSON.parse(renderResults(replies, true))).toEqual([
      { result: "OK" },
      { error: "ERR no" },
      { result: b64("x") },
      { result: 5 },
      { result: null },
    ]);
  });

  it("renders an empty pipeline as an empty array", () => {
    expect(renderResults([], false)).toBe("[]");
  });

  it("escapes the error message", () => {
    expect(JSON.parse(renderError('ERR "quoted"\n'))).toEqual({ error: 'ERR "quoted"\n' });
  });
});
