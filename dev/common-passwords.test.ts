import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS_FILES, generateCommonPasswords, renderCommonPasswords, selectCommonPasswords } from "./common-passwords.ts";

describe("the common-password list", () => {
  it("is committed as the generator makes it from the installed source package", async () => {
    const generated = await generateCommonPasswords();
    expect(await readFile(COMMON_PASSWORDS_FILES.module, "utf8")).toBe(generated.module);
    expect(await readFile(COMMON_PASSWORDS_FILES.list, "utf8")).toBe(generated.list);
  });

  it("holds more than 10,000 passwords", async () => {
    const list = (await generateCommonPasswords()).list.slice(1, -1).split("\n");
    expect(list.length).toBeGreaterThan(10_000);
    expect(list).toContain("password");
  });

  it("keeps entries of 8 or more characters, NFKC and lower case, once each, sorted", () => {
    expect(selectCommonPasswords(["Password", "password", "ＤＲＡＧＯＮＦＬＹ", "qwerty", "sunshine", "with space"])).toEqual(["dragonfly", "password", "sunshine"]);
  });

  it("lists each password as it is, one a line, a newline before the first and after the last", () => {
    const { list } = renderCommonPasswords(["back\\slash", "tick`tock", "dollar${x}"], "0.0.0", 3);
    expect(list).toBe("\nback\\slash\ntick`tock\ndollar${x}\n");
  });
});
