import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/lib/cursor";
import { newId } from "../../src/lib/ids";

describe("list cursors", () => {
  it("hands back the position it encoded, opaque and URL-safe", () => {
    const position = { at: "2026-11-30T10:00:00.123456Z", id: newId("audit") };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(position.id);
    expect(decodeCursor(cursor, "audit")).toEqual(position);
  });

  it.each([
    ["another list's id", encodeCursor({ at: "2026-11-30T10:00:00.123456Z", id: newId("user") })],
    ["milliseconds only", encodeCursor({ at: "2026-11-30T10:00:00.123Z", id: newId("audit") })],
    ["a day that does not exist", encodeCursor({ at: "2026-02-30T10:00:00.000000Z", id: newId("audit") })],
    ["a third part", btoa(`2026-11-30T10:00:00.123456Z|${newId("audit")}|x`).replace(/=+$/, "")],
    ["characters outside base64url", "abc+def/"],
    ["bytes that are not base64", "a"],
    ["a cursor too long to be ours", "A".repeat(129)],
  ])("refuses %s", (_, cursor) => {
    expect(decodeCursor(cursor, "audit")).toBeUndefined();
  });
});
