import { describe, expect, it } from "vitest";
import { cursorSigner, SIGNED_CURSOR_MAX_LENGTH } from "../../src/lib/signed-cursor";

describe("signed list cursors", () => {
  it("hands back the position it signed, for the same list only", async () => {
    const signer = await cursorSigner("secret one");
    const cursor = await signer.sign("tasks|done", ["2026-11-30T10:00:00.123456Z", "tsk_x"]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await signer.verify("tasks|done", cursor)).toEqual(["2026-11-30T10:00:00.123456Z", "tsk_x"]);
    expect(await signer.verify("tasks|todo", cursor)).toBeUndefined();
  });

  it("refuses a cursor changed in any character, signed with another secret, or malformed", async () => {
    const signer = await cursorSigner("secret one");
    const cursor = await signer.sign("shape", [null, "tsk_x"]);
    // Every other character in every position, the last bits of each part included.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let index = 0; index < cursor.length; index++) {
      if (cursor[index] === ".") continue;
      for (const char of alphabet.replace(cursor[index]!, "")) {
        const altered = `${cursor.slice(0, index)}${char}${cursor.slice(index + 1)}`;
        expect(await signer.verify("shape", altered), altered).toBeUndefined();
      }
    }
    const forged = await (await cursorSigner("secret two")).sign("shape", [null, "tsk_x"]);
    expect(await signer.verify("shape", forged)).toBeUndefined();
    const [payload] = cursor.split(".");
    for (const bad of ["", ".", payload!, `${cursor}.x`, "a+b.c", "x".repeat(SIGNED_CURSOR_MAX_LENGTH + 1)]) {
      expect(await signer.verify("shape", bad), bad).toBeUndefined();
    }
  });
});
