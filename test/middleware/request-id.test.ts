import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { url } from "../helpers/app";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const withRequestId = (id: string, path = "/health") => SELF.fetch(url(path), { headers: { "X-Request-Id": id } });

describe("request id", () => {
  it("keeps a well-formed incoming X-Request-Id", async () => {
    const id = "client-42.retry:1_A-Z";
    expect((await withRequestId(id)).headers.get("X-Request-Id")).toBe(id);
  });

  it("keeps it on error responses, in header and body", async () => {
    const response = await withRequestId("abc-123", "/v1/missing");
    expect(response.headers.get("X-Request-Id")).toBe("abc-123");
    expect((await response.json<{ requestId: string }>()).requestId).toBe("abc-123");
  });

  it.each([
    ["too long", "a".repeat(129)],
    ["300 characters", "x".repeat(300)],
    ["a space", "abc def"],
    ["a slash", "abc/def"],
    ["quotes", '"abc"'],
    ["a comma", "abc,def"],
  ])("replaces an incoming id with %s by a fresh UUID", async (_, id) => {
    const response = await withRequestId(id);
    expect(response.headers.get("X-Request-Id")).toMatch(UUID);
  });

  it("replaces an id carrying a control character, which could forge log lines", async () => {
    // Fetch refuses CR and LF in header values outright; a tab is the control character that gets through.
    const response = await withRequestId("abc\tforged");
    expect(response.headers.get("X-Request-Id")).toMatch(UUID);
  });

  it("accepts 128 characters", async () => {
    const id = "b".repeat(128);
    expect((await withRequestId(id)).headers.get("X-Request-Id")).toBe(id);
  });

  it("makes a new id for every request that brings none", async () => {
    const [first, second] = await Promise.all([SELF.fetch(url("/health")), SELF.fetch(url("/v1/missing"))]);
    expect(first!.headers.get("X-Request-Id")).toMatch(UUID);
    expect(second!.headers.get("X-Request-Id")).toMatch(UUID);
    expect(first!.headers.get("X-Request-Id")).not.toBe(second!.headers.get("X-Request-Id"));
  });
});
