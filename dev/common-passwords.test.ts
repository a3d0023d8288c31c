import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS_FILE, generateCommonPasswords, renderCommonPasswords, selectCommonPasswords } from "./common-passwords.ts";

describe("the common-password list", () => {
  it("is committed as the generator makes it from the installed source package", async () => {
    expect(await readFile(COMMON_PASSWORDS_FILE, "utf8")).toBe(await generateCommonPasswords());
  });

  it("holds more than 10,000 passwords", async () => {
    const text = await generateCommonPasswords();
    const list = /`\n([\s\S]*)\n`/.exec(text)?.[1]?.split("\n") ?? [];
    expect(list.length).toBeGreaterThan(10_000);
    expect(list).toContain("password");
  });

  it("keeps entries of 8 or more characters, NFKC and lower case, once each, sorted", () => {
    expect(selectCommonPasswords(["Password", "password", "ＤＲＡＧＯＮＦＬＹ", "qwerty", "sunshine", "with space"])).toEqual(["dragonfly", "password", "sunshine"]);
  });

  it("escapes what a template literal would interpret", () => {
    const module = renderCommonPasswords(["back\\slash", "tick`tock", "dollar${x}"], "0.0.0", 3);
    const literal = /= (`[\s\S]*`);/.exec(module)?.[1] ?? "";
    expect(new Function(`return ${literal}`)()).toBe("\nback\\slash\ntick`tock\ndollar${x}\n");
  });
});
