import { z } from "@hono/zod-openapi";
import { COMMON_PASSWORDS } from "./common-passwords";

/** Fewest characters (Unicode code points, after NFKC) of a new password: ASVS 5 and NIST SP 800-63B. */
export const PASSWORD_MIN_CHARACTERS = 8;

/**
 * Most UTF-8 bytes of a password after NFKC, checked before any hashing. 64 characters of four bytes
 * each fit four times over; the cap only stops a client from making us hash a megabyte.
 */
export const PASSWORD_MAX_BYTES = 1024;

/** The field issues a password can raise besides zod's own `too_small`; codes and messages are part of the API. */
export const PASSWORD_ISSUES = {
  notWellFormed: { code: "custom", message: "must be valid Unicode text (no lone surrogates)" },
  tooLong: { code: "too_big", message: `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8` },
  tooCommon: { code: "custom", message: "is too common; choose a password that is harder to guess" },
} as const;

// Past this many UTF-16 units no password comes back under the byte cap (no code point normalises to less
// than half a UTF-8 byte per unit; 4 leaves a margin for compositions), and NFKC can make a string 18
// times longer (U+FDFA): such a string is refused as it stands instead of being normalised.
const MAX_UNITS_TO_NORMALIZE = 4 * PASSWORD_MAX_BYTES;

// With the u flag a lone surrogate is a code point of its own, of category Cs; a valid pair is not.
const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextEncoder();

/** The form a password is checked, hashed and compared in: Unicode NFKC, so "ｐａｓｓ" and "pass" are one. */
export function normalizePassword(password: string): string {
  return password.length > MAX_UNITS_TO_NORMALIZE ? password : password.normalize("NFKC");
}

/**
 * The bytes to hash: NFKC, UTF-8. Throws a RangeError for what `CurrentPasswordSchema` refuses (empty,
 * over the byte cap, lone surrogates), which only a route that skipped the schema can send.
 */
export function encodePassword(password: string): Uint8Array {
  const normalized = normalizePassword(password);
  // TextEncoder would turn every lone surrogate into U+FFFD, making different passwords equal.
  if (LONE_SURROGATE.test(normalized)) throw new RangeError("password is not well-formed Unicode");
  const bytes = utf8.encode(normalized);
  if (bytes.byteLength === 0 || bytes.byteLength > PASSWORD_MAX_BYTES) throw new RangeError("password is empty or over the byte cap");
  return bytes;
}

/**
 * Whether a normalised password is one of the most common ones, ignoring case, or a string that a
 * cracker tries first: a unit of up to four characters repeated ("00000000", "12341234") or a run of
 * consecutive characters ("abcdefgh", "87654321"). zxcvbn's list leaves those out because zxcvbn
 * catches them by pattern.
 */
export function isCommonPassword(normalized: string): boolean {
  const candidate = normalized.toLowerCase();
  // One scan of the list (the whole schema check takes about 35 µs in workerd) rather than a Set of
  // 18,000 strings held by every isolate; the list starts and ends with a newline, and no entry holds one.
  if (!candidate.includes("\n") && COMMON_PASSWORDS.includes(`\n${candidate}\n`)) return true;
  return /^(.{1,4})\1+$/su.test(candidate) || isRun(candidate);
}

function isRun(text: string): boolean {
  const codePoints = Array.from(text, (char) => char.codePointAt(0) ?? 0);
  const step = (codePoints[1] ?? 0) - (codePoints[0] ?? 0);
  if (step !== 1 && step !== -1) return false;
  return codePoints.every((point, index) => index === 0 || point - (codePoints[index - 1] ?? 0) === step);
}

type PasswordCheck = (normalized: string, ctx: z.core.$RefinementCtx<string>) => boolean;

/** Well-formed and within the byte cap: what any password must be before it is hashed. */
const hashable: PasswordCheck = (password, ctx) => {
  if (LONE_SURROGATE.test(password)) {
    ctx.addIssue({ ...PASSWORD_ISSUES.notWellFormed, input: password });
    return false;
  }
  const bytes = utf8.encode(password).byteLength;
  if (bytes > PASSWORD_MAX_BYTES) {
    ctx.addIssue({ ...PASSWORD_ISSUES.tooLong, origin: "string", maximum: PASSWORD_MAX_BYTES, inclusive: true, input: password });
    return false;
  }
  if (bytes === 0) {
    ctx.addIssue({ code: "too_small", origin: "string", minimum: 1, inclusive: true, input: password });
    return false;
  }
  return true;
};

/** Long enough and not common: what a new password must also be. */
const strong: PasswordCheck = (password, ctx) => {
  if (Array.from(password).length < PASSWORD_MIN_CHARACTERS) {
    // zod's own message, which the problem renders in the request's language.
    ctx.addIssue({ code: "too_small", origin: "string", minimum: PASSWORD_MIN_CHARACTERS, inclusive: true, input: password });
    return false;
  }
  if (isCommonPassword(password)) {
    ctx.addIssue({ ...PASSWORD_ISSUES.tooCommon, input: password });
    return false;
  }
  return true;
};

function passwordSchema(checks: PasswordCheck[], description: string) {
  return z
    .string()
    .overwrite(normalizePassword)
    .superRefine((password, ctx) => {
      // At most one issue, and nothing after the byte cap: a megabyte is neither counted nor looked up.
      for (const check of checks) if (!check(password, ctx)) return;
    })
    .openapi({ format: "password", description });
}

/**
 * A new password (registration, reset, change): NFKC-normalised, at most 1,024 UTF-8 bytes, at least
 * 8 characters, not a common password. No composition rules. Its output is the normalised password.
 * @example z.object({ email: z.email(), password: PasswordSchema }).strict()
 */
export const PasswordSchema = passwordSchema(
  [hashable, strong],
  `A new password: ${PASSWORD_MIN_CHARACTERS} or more characters, at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 after NFKC normalisation, not a commonly used password.`,
);

/**
 * A password to check against a stored hash (login, current password): only what hashing needs, since
 * a password set under an older policy must still work.
 */
export const CurrentPasswordSchema = passwordSchema(
  [hashable],
  `A password: at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 after NFKC normalisation.`,
);
