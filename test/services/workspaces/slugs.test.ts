import { describe, expect, it } from "vitest";
import { SLUG_MAX_LENGTH, SLUG_PATTERN, slugFromName, withRandomSuffix } from "../../../src/services/workspaces/slugs";

describe("workspace slugs", () => {
  it.each([
    ["Acme", "acme"],
    ["  Ärger & Co. GmbH  ", "arger-co-gmbh"],
    ["--Über--Straße--", "uber-stra-e"],
    ["日本の会社", "workspace"],
    ["x".repeat(100), "x".repeat(40)],
    [`${"a".repeat(39)} b`, "a".repeat(39)],
  ])("derives %j as %j", (name, slug) => {
    expect(slugFromName(name)).toBe(slug);
    expect(slug).toMatch(SLUG_PATTERN);
  });

  it("adds a six-character random suffix that keeps the slug valid and within the limit", () => {
    const suffixed = new Set(Array.from({ length: 20 }, () => withRandomSuffix("y".repeat(SLUG_MAX_LENGTH))));
    expect(suffixed.size).toBe(20);
    for (const slug of suffixed) {
      expect(slug).toMatch(SLUG_PATTERN);
      expect(slug).toHaveLength(SLUG_MAX_LENGTH);
      expect(slug).toMatch(/^y+-[a-z0-9]{6}$/);
    }
  });
});
