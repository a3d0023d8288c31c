import { describe, expect, it } from "vitest";
import { commandName, isBlocking } from "./commands.ts";

describe("commandName", () => {
  it("lower-cases the first argument, string or Buffer", () => {
    expect(commandName(["HGETALL", "k"])).toBe("hgetall");
    expect(commandName([Buffer.from("LPush"), "k", "v"])).toBe("lpush");
  });

  it("is empty for an empty command", () => {
    expect(commandName([])).toBe("");
  });
});

describe("isBlocking", () => {
  it("recognises the blocking list and sorted-set commands in any case", () => {
    expect(isBlocking(["BLPOP", "k", "0"])).toBe(true);
    expect(isBlocking(["brpop", "k", "1"])).toBe(true);
    expect(isBlocking([Buffer.from("BzPopMin"), "z", "0"])).toBe(true);
    expect(isBlocking(["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"])).toBe(true);
  });

  it("treats WAIT as blocking", () => {
    expect(isBlocking(["WAIT", "1", "0"])).toBe(true);
  });

  it("treats XREAD and XREADGROUP with BLOCK, in any case, as blocking", () => {
    expect(isBlocking(["XREAD", "BLOCK", "0", "STREAMS", "s", "$"])).toBe(true);
    expect(isBlocking(["xread", "count", "1", "block", "100", "streams", "s", "0"])).toBe(true);
    expect(isBlocking(["XREADGROUP", "GROUP", "g", "c", "Block", "0", "STREAMS", "s", ">"])).toBe(true);
    expect(isBlocking(["XREAD", Buffer.from("BLOCK"), "0", "STREAMS", "s", "$"])).toBe(true);
  });

  it("does not treat XREAD without BLOCK as blocking", () => {
    expect(isBlocking(["XREAD", "COUNT", "10", "STREAMS", "s", "0"])).toBe(false);
    expect(isBlocking(["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"])).toBe(false);
  });

  it("does not treat ordinary commands as blocking, even with a BLOCK argument", () => {
    expect(isBlocking(["LPOP", "k"])).toBe(false);
    expect(isBlocking(["SET", "block", "block"])).toBe(false);
  });

  // BUG (minor): any argument equal to "block" counts, so a stream whose key is "block"
  // (after STREAMS) makes a non-blocking XREAD go to a dedicated connection. Only the
  // options before STREAMS should be looked at.
  it("does not treat XREAD of a stream named 'block' as blocking", () => {
    expect(isBlocking(["XREAD", "STREAMS", "block", "0"])).toBe(false);
  });
});
