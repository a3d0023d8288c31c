import { afterEach, describe, expect, it, vi } from "vitest";
import { CurrentPasswordSchema, isCommonPassword, PASSWORD_ISSUES, PasswordSchema } from "../../../src/lib/passwords/policy";

/** `length` characters of four UTF-8 bytes each (emoji), none repeated, in no order. */
const fourByteCharacters = (length: number) => Array.from({ length }, (_, index) => String.fromCodePoint(0x1f600 + ((index * 37) % 80))).join("");
/** `length` ASCII letters with no short repeat or run in them. */
const asciiLetters = (length: number) => Array.from({ length }, (_, index) => String.fromCharCode(97 + ((index * 7) % 26))).join("");

afterEach(() => vi.restoreAllMocks());

const issuesOf = (result: ReturnType<typeof PasswordSchema.safeParse>) =>
  result.success ? [] : result.error.issues.map(({ code, message }) => ({ code, message }));

describe("a new password (PasswordSchema)", () => {
  it("is accepted from 8 characters, and comes out NFKC-normalised", () => {
    expect(PasswordSchema.parse("zebra lamp")).toBe("zebra lamp");
    expect(PasswordSchema.parse("Ｓｔａｐｌｅ ｔｅａ")).toBe("Staple tea");
    expect(PasswordSchema.parse("cafe\u0301 noir")).toBe("caf\u00e9 noir");
  });

  it("accepts 64 characters of any Unicode, 4-byte characters included", () => {
    const password = fourByteCharacters(64);
    expect(Array.from(password)).toHaveLength(64);
    expect(new TextEncoder().encode(password).byteLength).toBe(256);
    expect(PasswordSchema.parse(password)).toBe(password);
    expect(PasswordSchema.parse("Пароль-для-входа ñandú 密码很长很长 🙂🙃")).toBeTruthy();
  });

  it("counts characters, not UTF-16 units: seven emoji are too short, eight are enough", () => {
    expect(issuesOf(PasswordSchema.safeParse("🙂🙃😀😎🤖👾🎃"))).toEqual([{ code: "too_small", message: expect.stringContaining(">=8") }]);
    expect(PasswordSchema.safeParse("🙂🙃😀😎🤖👾🎃🦊").success).toBe(true);
  });

  it("refuses 7 characters with zod's too_small issue", () => {
    expect(issuesOf(PasswordSchema.safeParse("zebra l"))).toEqual([{ code: "too_small", message: expect.any(String) }]);
  });

  it("accepts exactly 1,024 UTF-8 bytes and refuses 1,025 with the too_big issue, counted after NFKC", () => {
    expect(PasswordSchema.safeParse(asciiLetters(1024)).success).toBe(true);
    expect(issuesOf(PasswordSchema.safeParse(asciiLetters(1025)))).toEqual([PASSWORD_ISSUES.tooLong]);
    expect(issuesOf(PasswordSchema.safeParse("é".repeat(513)))).toEqual([PASSWORD_ISSUES.tooLong]);
    // U+FDFA is 3 bytes and becomes 18 characters (33 bytes) under NFKC.
    expect(issuesOf(PasswordSchema.safeParse("\ufdfa".repeat(32)))).toEqual([PASSWORD_ISSUES.tooLong]);
  });

  it("refuses a password far over the cap as it stands, without normalising what NFKC would make 18 times longer", () => {
    const normalize = vi.spyOn(String.prototype, "normalize");
    expect(issuesOf(PasswordSchema.safeParse("\ufdfa".repeat(100_000)))).toEqual([PASSWORD_ISSUES.tooLong]);
    expect(normalize).not.toHaveBeenCalled();
  });

  it("refuses a common password whatever its case or Unicode form", () => {
    for (const password of ["password", "PassWord", "ＰＡＳＳＷＯＲＤ", "iloveyou", "1q2w3e4r", "trustno1", "qwertyuiop", "password1"]) {
      expect(issuesOf(PasswordSchema.safeParse(password)), password).toEqual([PASSWORD_ISSUES.tooCommon]);
    }
  });

  it("refuses repeats and runs that the list leaves to pattern matching", () => {
    for (const password of ["00000000", "aaaaaaaaaaaa", "12341234", "abcabcabcabc", "abcdefgh", "87654321", "😀😀😀😀😀😀😀😀"]) {
      expect(issuesOf(PasswordSchema.safeParse(password)), password).toEqual([PASSWORD_ISSUES.tooCommon]);
    }
  });

  it("has no composition rules: lower-case words and spaces are fine when uncommon", () => {
    expect(PasswordSchema.safeParse("purple monkey dishwasher").success).toBe(true);
    expect(PasswordSchema.safeParse("12345678901234567890x").success).toBe(true);
  });

  it("refuses a lone surrogate, which UTF-8 would turn into U+FFFD", () => {
    expect(issuesOf(PasswordSchema.safeParse("zebra lamp\ud800"))).toEqual([PASSWORD_ISSUES.notWellFormed]);
    expect(issuesOf(PasswordSchema.safeParse("zebra lamp\udfff"))).toEqual([PASSWORD_ISSUES.notWellFormed]);
  });

  it("raises one issue at a time, the byte cap first", () => {
    expect(issuesOf(PasswordSchema.safeParse("password".repeat(200)))).toEqual([PASSWORD_ISSUES.tooLong]);
  });
});

describe("a password checked against a stored hash (CurrentPasswordSchema)", () => {
  it("accepts short and common passwords, which older policies may have allowed", () => {
    expect(CurrentPasswordSchema.parse("abc")).toBe("abc");
    expect(CurrentPasswordSchema.parse("password")).toBe("password");
    expect(CurrentPasswordSchema.parse("ｐａｓｓ")).toBe("pass");
  });

  it("refuses what cannot be hashed: empty, over the byte cap, not well-formed", () => {
    expect(issuesOf(CurrentPasswordSchema.safeParse(""))).toEqual([{ code: "too_small", message: expect.any(String) }]);
    expect(issuesOf(CurrentPasswordSchema.safeParse("x".repeat(1025)))).toEqual([PASSWORD_ISSUES.tooLong]);
    expect(issuesOf(CurrentPasswordSchema.safeParse("\ud800"))).toEqual([PASSWORD_ISSUES.notWellFormed]);
  });
});

describe("the common-password list", () => {
  it("holds the most common passwords of 8 characters or more, lower case", () => {
    for (const password of ["password", "12345678", "baseball", "football", "sunshine", "princess", "superman", "michelle"]) {
      expect(isCommonPassword(password), password).toBe(true);
    }
  });

  it("matches whole entries only", () => {
    expect(isCommonPassword("passwor")).toBe(false);
    expect(isCommonPassword("password\nbaseball")).toBe(false);
    expect(isCommonPassword("xpassword")).toBe(false);
  });
});
