import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../../src/lib/clock";
import {
  CLOCK_TOLERANCE_SECONDS,
  generateSigningKeySet,
  importSigningKeys,
  InvalidTokenError,
  MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
  rotateSigningKeySet,
  signAccessToken,
  verifyAccessToken,
  type AccessTokenClaims,
  type InvalidTokenReason,
  type SigningKeys,
  type SigningKeySet,
} from "../../../src/lib/tokens";
import { forgedAccessTokens, signWith } from "../../helpers/forged-tokens";

const settings = { issuer: "https://api.test", audience: "edge-backend", lifetimeSeconds: 600 };
const subject = { userId: "usr_alice", sessionId: "ses_1" };
const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const at = (ms: number): Clock => () => ms;

const keySet = await generateSigningKeySet();
const keys = await importSigningKeys(JSON.stringify(keySet));

async function refusal(token: string, verifyWith: SigningKeys = keys, clock: Clock = at(T0)): Promise<InvalidTokenReason> {
  const error = await verifyAccessToken(token, verifyWith, settings, clock).then(
    () => expect.unreachable("the token was accepted"),
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  const { reason, message } = error as InvalidTokenError;
  // Nothing of the token reaches the message, which may be logged.
  expect(message).toBe(`invalid token: ${reason}`);
  return reason;
}

describe("signing an access token", () => {
  it("writes alg, kid and typ at+jwt in the header and the small claim set in the payload", async () => {
    const { token, claims, expiresIn } = await signAccessToken(subject, keys, settings, at(T0 + 999));
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: keySet.keys[0]!.kid, typ: "at+jwt" });
    expect(claims).toEqual({
      iss: "https://api.test",
      aud: "edge-backend",
      sub: "usr_alice",
      sid: "ses_1",
      iat: T0 / 1000,
      exp: T0 / 1000 + 600,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(expiresIn).toBe(600);
    const payload = JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/")));
    expect(payload).toEqual(claims);
  });

  it("gives every token its own jti", async () => {
    const [first, second] = await Promise.all([signAccessToken(subject, keys, settings, at(T0)), signAccessToken(subject, keys, settings, at(T0))]);
    expect(first!.claims.jti).not.toBe(second!.claims.jti);
  });

  it("refuses a lifetime over 15 minutes, and accepts exactly 15", async () => {
    await expect(signAccessToken(subject, keys, { ...settings, lifetimeSeconds: MAX_ACCESS_TOKEN_LIFETIME_SECONDS + 1 })).rejects.toThrow(RangeError);
    await expect(signAccessToken(subject, keys, { ...settings, lifetimeSeconds: 0 })).rejects.toThrow(RangeError);
    const { claims } = await signAccessToken(subject, keys, { ...settings, lifetimeSeconds: 900 }, at(T0));
    expect(claims.exp - claims.iat).toBe(900);
  });

  it("signs with the set's first key", async () => {
    const rotated = await rotateSigningKeySet(keySet);
    const { token } = await signAccessToken(subject, await importSigningKeys(JSON.stringify(rotated)), settings);
    expect(decodeProtectedHeader(token).kid).toBe(rotated.keys[0]!.kid);
  });
});

describe("verifying an access token", () => {
  it("accepts a token we signed and returns its claims", async () => {
    const issued = await signAccessToken(subject, keys, settings, at(T0));
    expect(await verifyAccessToken(issued.token, keys, settings, at(T0 + 1000))).toEqual(issued.claims);
  });

  it("accepts an Ed25519 token when the set's key is Ed25519", async () => {
    const edKeys = await importSigningKeys(JSON.stringify(await generateSigningKeySet({ algorithm: "Ed25519" })));
    const issued = await signAccessToken(subject, edKeys, settings, at(T0));
    expect(decodeProtectedHeader(issued.token).alg).toBe("Ed25519");
    expect(await verifyAccessToken(issued.token, edKeys, settings, at(T0))).toEqual(issued.claims);
  });

  it(`accepts a token until ${CLOCK_TOLERANCE_SECONDS} seconds past exp, and refuses it after`, async () => {
    const { token, claims } = await signAccessToken(subject, keys, settings, at(T0));
    const exp = claims.exp * 1000;
    expect(await verifyAccessToken(token, keys, settings, at(exp + CLOCK_TOLERANCE_SECONDS * 1000 - 1000))).toEqual(claims);
    expect(await refusal(token, keys, at(exp + CLOCK_TOLERANCE_SECONDS * 1000))).toBe("expired");
  });

  it(`accepts a token issued up to ${CLOCK_TOLERANCE_SECONDS} seconds ahead of the verifier's clock, and refuses one further ahead`, async () => {
    const { token } = await signAccessToken(subject, keys, settings, at(T0));
    await expect(verifyAccessToken(token, keys, settings, at(T0 - CLOCK_TOLERANCE_SECONDS * 1000))).resolves.toBeDefined();
    expect(await refusal(token, keys, at(T0 - (CLOCK_TOLERANCE_SECONDS + 1) * 1000))).toBe("not-yet-valid");
  });

  it("refuses a token signed for another issuer or audience by our own key", async () => {
    const { token } = await signAccessToken(subject, keys, { ...settings, audience: "another-service" }, at(T0));
    expect(await refusal(token)).toBe("audience");
  });

  it.each([
    ["an empty string", ""],
    ["one segment", "abc"],
    ["four segments", "a.b.c.d"],
    ["a header that is not JSON", `${btoa("nope")}.e30.sig`],
    ["characters outside base64url", "ey+J.ey/J.sig"],
  ])("refuses %s as malformed", async (_, token) => {
    expect(await refusal(token)).toBe("malformed");
  });

  it("refuses a token longer than 2048 characters before decoding it, even one we signed", async () => {
    const { claims } = await signAccessToken(subject, keys, settings, at(T0));
    const header = { alg: "ES256", kid: keySet.keys[0]!.kid, typ: "at+jwt" };
    const long = await signWith(keySet.keys[0]!, header, { ...claims, padding: "x".repeat(1500) });
    expect(long.length).toBeGreaterThan(2048);
    expect(await refusal(long)).toBe("malformed");
  });
});

describe("forged access tokens", async () => {
  const claims: AccessTokenClaims = (await signAccessToken(subject, keys, settings, at(T0))).claims;
  const forged = await forgedAccessTokens(keySet, claims);

  it("start from claims that verify when signed with our key", async () => {
    const token = await signWith(keySet.keys[0]!, { alg: "ES256", kid: keySet.keys[0]!.kid, typ: "at+jwt" }, { ...claims });
    expect(await verifyAccessToken(token, keys, settings, at(T0))).toEqual(claims);
  });

  it.each(forged.map((forgery) => [forgery.name, forgery] as const))("refuses %s", async (_, { token, reason }) => {
    expect(await refusal(token)).toBe(reason);
  });
});

describe("key rotation", () => {
  it("keeps accepting tokens signed by the previous key, and refuses those of a key dropped from the set", async () => {
    const first = keySet;
    const second = await rotateSigningKeySet(first);
    const third = await rotateSigningKeySet(second);
    const byFirstKey = (await signAccessToken(subject, keys, settings, at(T0))).token;
    const bySecondKey = (await signAccessToken(subject, await importSigningKeys(JSON.stringify(second)), settings, at(T0))).token;

    const afterOneRotation = await importSigningKeys(JSON.stringify(second));
    expect(await verifyAccessToken(byFirstKey, afterOneRotation, settings, at(T0))).toMatchObject({ sub: "usr_alice" });

    const afterTwoRotations = await importSigningKeys(JSON.stringify(third));
    expect(await verifyAccessToken(bySecondKey, afterTwoRotations, settings, at(T0))).toMatchObject({ sub: "usr_alice" });
    expect(await refusal(byFirstKey, afterTwoRotations)).toBe("unknown-key");
  });

  it("refuses a token whose alg is not the one of the key its kid names", async () => {
    const mixed: SigningKeySet = { keys: [keySet.keys[0]!, (await generateSigningKeySet({ algorithm: "Ed25519" })).keys[0]!] };
    const mixedKeys = await importSigningKeys(JSON.stringify(mixed));
    const { claims } = await signAccessToken(subject, mixedKeys, settings, at(T0));
    // Signed by the Ed25519 key, but naming the ES256 key: both algorithms are in the pinned list.
    const token = await signWith(mixed.keys[1]!, { alg: "Ed25519", kid: mixed.keys[0]!.kid, typ: "at+jwt" }, { ...claims });
    expect(await refusal(token, mixedKeys)).toBe("algorithm");
  });
});
