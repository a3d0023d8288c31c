import { createLocalJWKSet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  generateSigningKey,
  generateSigningKeySet,
  importSigningKeys,
  parseSigningKeySet,
  rotateSigningKeySet,
  signAccessToken,
  SigningKeySetError,
  SigningKeySetSchema,
  type SigningKeySet,
} from "../../../src/lib/tokens";

const es256 = await generateSigningKey("ES256");
const ed25519 = await generateSigningKey("Ed25519");
const secret = (set: unknown) => JSON.stringify(set);
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** The configuration schema as the identity module will extend it. */
const config = z.object({ JWT_SIGNING_KEYS: SigningKeySetSchema });

describe("the signing key set secret", () => {
  it("accepts sets of ES256 and Ed25519 keys, current first, and keeps the secret's text as the value", () => {
    const text = secret({ keys: [es256, ed25519] });
    expect(config.parse({ JWT_SIGNING_KEYS: text })).toEqual({ JWT_SIGNING_KEYS: text });
    expect(parseSigningKeySet(text)).toEqual({ keys: [es256, ed25519] });
  });

  it.each<[string, unknown]>([
    ["text that is not JSON", `${es256.d} is no key set`],
    ["truncated JSON", `{"keys":[{"d":"${es256.d}"`],
    ["an empty set", { keys: [] }],
    ["a bare key instead of a set", es256],
    ["a public key without d", { keys: [{ ...es256, d: undefined }] }],
    ["a symmetric key", { keys: [{ kid: "hmac", alg: "HS256", use: "sig", kty: "oct", k: es256.d }] }],
    ["alg none", { keys: [{ ...es256, alg: "none" }] }],
    ["an EC key on another curve", { keys: [{ ...es256, crv: "P-384" }] }],
    ["an EC key claiming Ed25519", { keys: [{ ...es256, alg: "Ed25519" }] }],
    ["an encryption key", { keys: [{ ...es256, use: "enc" }] }],
    ["a d of the wrong length", { keys: [{ ...es256, d: es256.d.slice(1) }] }],
    ["a kid with a space", { keys: [{ ...es256, kid: "my key" }] }],
    ["two keys with one kid", { keys: [es256, { ...ed25519, kid: es256.kid }] }],
    ["five keys", { keys: [es256, ed25519, ...[1, 2, 3].map((n) => ({ ...es256, kid: `k${n}` }))] }],
  ])("refuses %s as a configuration error naming the setting, quoting no key", (_, value) => {
    const text = typeof value === "string" ? value : secret(value);
    const result = config.safeParse({ JWT_SIGNING_KEYS: text });
    expect(result.success).toBe(false);
    expect(new Set(result.error!.issues.map((issue) => issue.path[0]))).toEqual(new Set(["JWT_SIGNING_KEYS"]));
    const thrown = (() => {
      try {
        parseSigningKeySet(text);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(SigningKeySetError);
    // Not even the start of one: JSON.parse's own message quotes the first characters of its input.
    for (const said of [JSON.stringify(result.error!.issues), (thrown as Error).message]) {
      expect(said).not.toContain(es256.d.slice(0, 8));
      expect(said).not.toContain(ed25519.d.slice(0, 8));
    }
  });
});

describe("importing the signing keys", () => {
  it("signs with the first key and verifies with every key, pinning the set's algorithms", async () => {
    const keys = await importSigningKeys(secret({ keys: [es256, ed25519] }));
    expect(keys.current).toMatchObject({ kid: es256.kid, alg: "ES256" });
    expect(keys.current.privateKey.extractable).toBe(false);
    expect([...keys.byKid.keys()]).toEqual([es256.kid, ed25519.kid]);
    expect(keys.algorithms).toEqual(["ES256", "Ed25519"]);
  });

  it("imports a secret once per isolate, and keeps at most two", async () => {
    const [first, second, third] = [secret({ keys: [es256] }), secret({ keys: [ed25519] }), secret({ keys: [ed25519, es256] })];
    // Each caller gets a promise of its own (see ownPromise); the keys it settles with are one import's.
    const imported = await importSigningKeys(first);
    expect(await importSigningKeys(first)).toBe(imported);
    await Promise.all([importSigningKeys(second), importSigningKeys(third)]);
    const again = await importSigningKeys(first);
    expect(again).not.toBe(imported);
    expect(again.current.kid).toBe(es256.kid);
  });

  it("rejects a set that fails validation with a SigningKeySetError rather than crashing", async () => {
    await expect(importSigningKeys("not json")).rejects.toThrow(SigningKeySetError);
  });

  // workerd's importKey catches a mismatched EC pair itself, but not a mismatched Ed25519 one.
  it.each(["ES256", "Ed25519"] as const)("rejects an %s key whose public half belongs to another key, naming its kid but no key material", async (alg) => {
    const [key, other] = await Promise.all([generateSigningKey(alg), generateSigningKey(alg)]);
    const mismatched = { ...other, kid: key.kid, d: key.d };
    const error = await importSigningKeys(secret({ keys: [mismatched] })).catch((error: unknown) => error);
    expect(error).toBeInstanceOf(SigningKeySetError);
    expect((error as Error).message).toContain(key.kid);
    expect((error as Error).message).not.toContain(key.d.slice(0, 8));
  });
});

describe("the public JWK set", () => {
  const set: SigningKeySet = { keys: [es256, ed25519] };

  it("holds only public members of every key", async () => {
    const { jwks } = await importSigningKeys(secret(set));
    expect(jwks.keys).toEqual([
      { kid: es256.kid, alg: "ES256", use: "sig", kty: "EC", crv: "P-256", x: es256.x, y: es256.y },
      { kid: ed25519.kid, alg: "Ed25519", use: "sig", kty: "OKP", crv: "Ed25519", x: ed25519.x },
    ]);
    const published = JSON.stringify(jwks);
    for (const member of PRIVATE_MEMBERS) expect(published).not.toContain(`"${member}"`);
    expect(published).not.toContain(es256.d);
    expect(published).not.toContain(ed25519.d);
  });

  it("lets any JOSE library verify our tokens", async () => {
    const keys = await importSigningKeys(secret(set));
    const { token } = await signAccessToken({ userId: "usr_1", sessionId: "ses_1" }, keys, { issuer: "i", audience: "a", lifetimeSeconds: 60 });
    const { payload } = await jwtVerify(token, createLocalJWKSet(JSON.parse(JSON.stringify(keys.jwks))), { issuer: "i", audience: "a" });
    expect(payload.sub).toBe("usr_1");
  });
});

describe("making and rotating key sets", () => {
  it("makes a set of one new ES256 key by default, with a random kid", async () => {
    const [first, second] = await Promise.all([generateSigningKeySet(), generateSigningKeySet()]);
    expect(first!.keys).toHaveLength(1);
    expect(first!.keys[0]).toMatchObject({ alg: "ES256", use: "sig", kty: "EC", crv: "P-256" });
    expect(first!.keys[0]!.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(first!.keys[0]!.kid).not.toBe(second!.keys[0]!.kid);
    expect(first!.keys[0]!.d).not.toBe(second!.keys[0]!.d);
  });

  it("puts a new key first, keeps the current one and drops older ones", async () => {
    const next = await rotateSigningKeySet({ keys: [es256, ed25519] });
    expect(next.keys).toHaveLength(2);
    expect(next.keys[1]).toEqual(es256);
    expect([es256.kid, ed25519.kid]).not.toContain(next.keys[0]!.kid);
    expect(next.keys[0]!.alg).toBe("ES256");
  });

  it("switches algorithm when told, without signing anyone out", async () => {
    const next = await rotateSigningKeySet({ keys: [es256] }, { algorithm: "Ed25519" });
    expect(next.keys.map((key) => key.alg)).toEqual(["Ed25519", "ES256"]);
  });
});
