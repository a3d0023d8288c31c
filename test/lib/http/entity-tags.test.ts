import { describe, expect, it } from "vitest";
import { entityTagOf, ifNoneMatchMatches, notModified } from "../../../src/lib/http/entity-tags";

describe("entity tags", () => {
  it("tags a body with a strong tag that changes with the body", async () => {
    const encode = (text: string) => new TextEncoder().encode(text);
    const tag = await entityTagOf(encode('{"a":1}'));
    expect(tag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await entityTagOf(encode('{"a":1}'))).toBe(tag);
    expect(await entityTagOf(encode('{"a":2}'))).not.toBe(tag);
  });

  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc"', true],
    ["*", true],
    [' * ', true],
    ['"abcd"', false],
    ['"ab"', false],
    ["abc", false],
    ["", false],
  ])("If-None-Match %j against \"abc\" (weak comparison): %s", (field, expected) => {
    expect(ifNoneMatchMatches(field, '"abc"')).toBe(expected);
  });

  it("compares a weak tag of ours with the same weak comparison", () => {
    expect(ifNoneMatchMatches('"abc"', 'W/"abc"')).toBe(true);
  });

  it("answers 304 without a body, keeping the validator and caching headers and dropping what describes the body", () => {
    const response = new Response("{}", {
      headers: { "Content-Type": "application/json", "Content-Length": "2", ETag: '"abc"', "Cache-Control": "public, max-age=60", Vary: "Origin", RateLimit: '"api";r=9;t=1' },
    });
    const unchanged = notModified(response);
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBeNull();
    expect(unchanged.headers.get("ETag")).toBe('"abc"');
    expect(unchanged.headers.get("Cache-Control")).toBe("public, max-age=60");
    expect(unchanged.headers.get("Vary")).toBe("Origin");
    expect(unchanged.headers.get("RateLimit")).toBe('"api";r=9;t=1');
    expect(unchanged.headers.get("Content-Type")).toBeNull();
    expect(unchanged.headers.get("Content-Length")).toBeNull();
  });
});
