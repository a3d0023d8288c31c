import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  createOpaqueToken,
  hashOpaqueToken,
  InvalidTokenError,
  parseOpaqueToken,
  type InvalidTokenReason,
  type OpaqueTokenKind,
} from "../../../src/lib/tokens";

function refusal(kind: OpaqueTokenKind, input: unknown): InvalidTokenReason {
  try {
    parseOpaqueToken(kind, input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  return expect.unreachable("the token was accepted");
}

describe("opaque tokens", () => {
  it.each([
    ["refresh", "rt_"],
    ["verification", "vt_"],
    ["reset", "pt_"],
    ["invitation", "it_"],
  ] as const)("makes a %s token: %s and 256 random bits in base64url", (kind, prefix) => {
    const token = createOpaqueToken(kind);
    expect(token).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`));
    expect(base64url.decode(token.slice(3))).toHaveLength(32);
    expect(parseOpaqueToken(kind, token)).toBe(token);
  });

  it("never makes the same token twice", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => createOpaqueToken("refresh")));
    expect(tokens.size).toBe(1000);
  });

  it("refuses a token of another kind before any lookup", () => {
    expect(refusal("refresh", createOpaqueToken("reset"))).toBe("wrong-kind");
    expect(refusal("reset", createOpaqueToken("verification"))).toBe("wrong-kind");
    expect(refusal("invitation", createOpaqueToken("verification"))).toBe("wrong-kind");
  });

  const good = createOpaqueToken("refresh");
  it.each<[string, unknown]>([
    ["no value", undefined],
    ["a number", 42],
    ["an object", { token: good }],
    ["an empty string", ""],
    ["the prefix alone", "rt_"],
    ["one character short", good.slice(0, -1)],
    ["one character long", `${good}A`],
    ["base64 padding", `${good}=`],
    ["a space around it", ` ${good}`],
    ["a newline after it", `${good}\n`],
    ["standard base64 characters", `rt_+/${good.slice(5)}`],
    ["an upper-case prefix", `RT_${good.slice(3)}`],
    ["an unknown prefix", `xt_${good.slice(3)}`],
    ["a JWT", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"],
  ])("refuses %s as malformed", (_, input) => {
    expect(refusal("refresh", input)).toBe("malformed");
  });

  it("refuses a non-canonical spelling of a valid token's bits", () => {
    const token = `rt_${base64url.encode(new Uint8Array(32).fill(7))}`;
    expect(parseOpaqueToken("refresh", token)).toBe(token);
    // The last character carries 2 bits of data and 4 that must be zero; setting one decodes to the same bytes.
    const last = token.at(-1)!;
    const sibling = `${token.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
    expect(base64url.decode(sibling.slice(3))).toEqual(base64url.decode(token.slice(3)));
    expect(refusal("refresh", sibling)).toBe("malformed");
  });
});

describe("hashing opaque tokens", () => {
  it("is SHA-256 in lowercase hex", async () => {
    expect(await hashOpaqueToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("gives one token one hash, covering its prefix, and nothing of the token", async () => {
    const token = createOpaqueToken("reset");
    const hash = await hashOpaqueToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashOpaqueToken(token)).toBe(hash);
    expect(await hashOpaqueToken(`vt_${token.slice(3)}`)).not.toBe(hash);
    expect(hash).not.toContain(token.slice(3, 13));
  });
});

describe("constant-time comparison", () => {
  it("is true only for equal strings", () => {
    const hash = "a".repeat(63) + "b";
    expect(constantTimeEqual(hash, `${hash}`)).toBe(true);
    expect(constantTimeEqual(hash, "a".repeat(64))).toBe(false);
    expect(constantTimeEqual(hash, hash.slice(1))).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("é", "e\u0301")).toBe(false);
  });
});
