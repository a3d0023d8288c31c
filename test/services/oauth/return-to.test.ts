import { describe, expect, it } from "vitest";
import { resolveReturnTo, returnUrl } from "../../../src/services/oauth/return-to";

const allowed = { appUrl: "https://app.example.com", origins: ["https://admin.example.com"] };

describe("resolveReturnTo", () => {
  it.each([
    ["/", "https://app.example.com/"],
    ["/settings/accounts?tab=linked#top", "https://app.example.com/settings/accounts?tab=linked#top"],
    ["/a/../b", "https://app.example.com/b"],
    ["https://app.example.com/welcome", "https://app.example.com/welcome"],
    ["https://admin.example.com/back", "https://admin.example.com/back"],
  ])("takes %j as %j", (value, expected) => {
    expect(resolveReturnTo(value, allowed)).toBe(expected);
  });

  it.each([
    "//evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "https://app.example.com.evil.example/",
    "https://app.example.com@evil.example/",
    "http://app.example.com/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "/\u0000evil",
    "/x\ny",
    "settings",
    "",
    `/${"a".repeat(2048)}`,
  ])("refuses %j", (value) => {
    expect(resolveReturnTo(value, allowed)).toBeUndefined();
  });
});

describe("returnUrl", () => {
  it("adds the code to the query, replacing one the client put there", () => {
    expect(returnUrl("https://app.example.com/in?code=forged&x=1", { code: "abc" })).toBe("https://app.example.com/in?code=abc&x=1");
  });
});
