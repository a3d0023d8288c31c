import { base64url, errors, jwtVerify, SignJWT, type CompactJWSHeaderParameters, type CryptoKey, type JWTPayload } from "jose";
import { z } from "zod";
import { systemClock, type Clock } from "../clock.ts";
import { InvalidTokenError, type InvalidTokenReason } from "./invalid-token-error.ts";
import { isOpaqueToken } from "./opaque-token.ts";
import type { SigningKeys } from "./signing-keys.ts";

/** The `typ` header of our access tokens (RFC 9068), which no other token we sign carries. */
export const ACCESS_TOKEN_TYPE = "at+jwt";

/** The longest lifetime an access token may have: a revoked session's tokens outlive it by no more. */
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 15 * 60;

/** Leeway for `exp`, `nbf` and `iat` between the clocks of the isolate that signs and the one that verifies. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** A configured access-token lifetime in seconds, refused above 15 minutes. */
export const AccessTokenLifetimeSchema = z.coerce.number().int().positive().max(MAX_ACCESS_TOKEN_LIFETIME_SECONDS);

/** Ours are about 440 characters; anything much longer is refused before it is decoded. */
const MAX_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Every header member we write; any other (`jwk`, `jku`, `x5u`, `x5c`, `crit`…) refuses the token. */
const HEADER_MEMBERS = new Set(["alg", "kid", "typ"]);
const REQUIRED_CLAIMS = ["iss", "aud", "sub", "sid", "iat", "exp", "jti"];

export interface AccessTokenSettings {
  /** `iss`: who signs, e.g. `https://api.example.com`. */
  issuer: string;
  /** `aud`: who accepts the token. */
  audience: string;
  /** At most MAX_ACCESS_TOKEN_LIFETIME_SECONDS. */
  lifetimeSeconds: number;
}

export type AccessTokenExpectations = Pick<AccessTokenSettings, "issuer" | "audience">;

export interface AccessTokenSubject {
  userId: string;
  /** Revocation works per session: ending it refuses its tokens within the session-check bound. */
  sessionId: string;
}

/** The claims of a verified access token; times in seconds since the epoch. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  /** The user id. */
  sub: string;
  /** The session id. */
  sid: string;
  iat: number;
  exp: number;
  jti: string;
}

export interface IssuedAccessToken {
  token: string;
  claims: AccessTokenClaims;
  /** Seconds until it expires, for the `expiresIn` of a token response. */
  expiresIn: number;
}

/**
 * Signs an access token for a session with the key set's current key.
 * Throws RangeError for a lifetime over 15 minutes.
 */
export async function signAccessToken(
  subject: AccessTokenSubject,
  keys: SigningKeys,
  settings: AccessTokenSettings,
  clock: Clock = systemClock,
): Promise<IssuedAccessToken> {
  const lifetime = AccessTokenLifetimeSchema.safeParse(settings.lifetimeSeconds);
  if (!lifetime.success) throw new RangeError(`access token lifetime must be 1 to ${MAX_ACCESS_TOKEN_LIFETIME_SECONDS} seconds`);
  if (!subject.userId || !subject.sessionId) throw new RangeError("user and session ids must not be empty");

  const iat = Math.floor(clock() / 1000);
  const claims: AccessTokenClaims = {
    iss: settings.issuer,
    aud: settings.audience,
    sub: subject.userId,
    sid: subject.sessionId,
    iat,
    exp: iat + lifetime.data,
    jti: base64url.encode(crypto.getRandomValues(new Uint8Array(16))),
  };
  const { kid, alg, privateKey } = keys.current;
  const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYPE }).sign(privateKey);
  return { token, claims, expiresIn: lifetime.data };
}

/**
 * Verifies an access token against our own key set only, with the algorithm pinned to the one of
 * the key its `kid` names. Every refusal is an InvalidTokenError; its reason is for logs only.
 * @example const claims = await verifyAccessToken(bearer, keys, { issuer, audience }, clock)
 */
export async function verifyAccessToken(
  token: string,
  keys: SigningKeys,
  expected: AccessTokenExpectations,
  clock: Clock = systemClock,
): Promise<AccessTokenClaims> {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError("malformed");
  if (isOpaqueToken(token)) throw new InvalidTokenError("wrong-kind");
  if (!COMPACT_JWS.test(token)) throw new InvalidTokenError("malformed");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => keyFor(header, keys), {
      algorithms: [...keys.algorithms],
      issuer: expected.issuer,
      audience: expected.audience,
      requiredClaims: REQUIRED_CLAIMS,
      currentDate: new Date(clock()),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // Also refuses an `iat` in the future.
      maxTokenAge: MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
    }));
  } catch (error) {
    throw asInvalidToken(error);
  }
  return claimsOf(payload);
}

/** Runs before the signature is checked, so a token that names a key of its own costs no crypto. */
function keyFor(header: CompactJWSHeaderParameters, keys: SigningKeys): CryptoKey {
  if (Object.keys(header).some((member) => !HEADER_MEMBERS.has(member))) throw new InvalidTokenError("header");
  if (header.typ !== ACCESS_TOKEN_TYPE) throw new InvalidTokenError("type");
  const key = typeof header.kid === "string" ? keys.byKid.get(header.kid) : undefined;
  if (!key) throw new InvalidTokenError("unknown-key");
  if (header.alg !== key.alg) throw new InvalidTokenError("algorithm");
  return key.key;
}

function claimsOf(payload: JWTPayload): AccessTokenClaims {
  const { iss, aud, sub, sid, iat, exp, jti } = payload;
  const wellFormed =
    typeof iss === "string" &&
    typeof aud === "string" &&
    nonEmpty(sub) &&
    nonEmpty(sid) &&
    nonEmpty(jti) &&
    Number.isSafeInteger(iat) &&
    Number.isSafeInteger(exp) &&
    exp! > iat! &&
    exp! - iat! <= MAX_ACCESS_TOKEN_LIFETIME_SECONDS;
  if (!wellFormed) throw new InvalidTokenError("claims");
  return { iss, aud, sub, sid, iat: iat!, exp: exp!, jti };
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** What a failed check of a present, well-typed claim means. */
const CLAIM_REASONS: Partial<Record<string, InvalidTokenReason>> = {
  iss: "issuer",
  aud: "audience",
  nbf: "not-yet-valid",
  iat: "not-yet-valid",
};

function asInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error;
  if (error instanceof errors.JWTExpired) return new InvalidTokenError("expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return new InvalidTokenError("missing-claim");
    return new InvalidTokenError(error.reason === "check_failed" ? (CLAIM_REASONS[error.claim] ?? "claims") : "claims");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError("algorithm");
  // jose's only JWS refusal of this kind: a `crit` naming an extension it does not know.
  if (error instanceof errors.JOSENotSupported) return new InvalidTokenError("header");
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError("signature");
  if (error instanceof errors.JOSEError) return new InvalidTokenError("malformed");
  // Whatever else a crafted token provokes is still the client's token failing, not a 500; the cause is logged.
  return new InvalidTokenError("malformed", { cause: error });
}
