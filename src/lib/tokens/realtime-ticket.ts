import { errors, jwtVerify, SignJWT, type CompactJWSHeaderParameters, type CryptoKey, type JWTPayload } from "jose";
import { systemClock, type Clock } from "../clock.ts";
import { newId, isId } from "../ids.ts";
import type { AccessTokenExpectations } from "./access-token.ts";
import { InvalidTokenError } from "./invalid-token-error.ts";
import type { SigningKeys } from "./signing-keys.ts";

/**
 * The `typ` of a realtime ticket. Access-token verification demands `at+jwt`, and ticket
 * verification this, so neither is ever taken for the other although the same keys sign both.
 */
export const REALTIME_TICKET_TYPE = "rtk+jwt";

/** Ours are about 330 characters. */
const MAX_TICKET_LENGTH = 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const HEADER_MEMBERS = new Set(["alg", "kid", "typ"]);
/** Leeway for `exp` and `iat` between the isolate that signs and the one that verifies. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** A verified ticket: whose sockets it opens, its id (burned by the user's hub) and its expiry in ms. */
export interface RealtimeTicket {
  userId: string;
  ticketId: string;
  expiresAt: number;
}

/**
 * A ticket opening one socket for `userId` within `lifetimeSeconds`: a JWT signed with the access
 * tokens' current key, with its own `typ` and an `rtk_` id that the user's NotificationHub burns on
 * first use. It carries no session and grants nothing but that one socket.
 */
export async function signRealtimeTicket(userId: string, keys: SigningKeys, expected: AccessTokenExpectations, lifetimeSeconds: number, clock: Clock = systemClock): Promise<{ ticket: string } & RealtimeTicket> {
  const iat = Math.floor(clock() / 1000);
  const ticketId = newId("realtimeTicket");
  const exp = iat + lifetimeSeconds;
  const { kid, alg, privateKey } = keys.current;
  const ticket = await new SignJWT({ iss: expected.issuer, aud: expected.audience, sub: userId, iat, exp, jti: ticketId })
    .setProtectedHeader({ alg, kid, typ: REALTIME_TICKET_TYPE })
    .sign(privateKey);
  return { ticket, userId, ticketId, expiresAt: exp * 1000 };
}

/** Verifies a ticket's signature, type, issuer, audience and expiry; every refusal is an InvalidTokenError. */
export async function verifyRealtimeTicket(ticket: string, keys: SigningKeys, expected: AccessTokenExpectations, maxLifetimeSeconds: number, clock: Clock = systemClock): Promise<RealtimeTicket> {
  if (ticket.length > MAX_TICKET_LENGTH || !COMPACT_JWS.test(ticket)) throw new InvalidTokenError("malformed");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(ticket, (header) => keyFor(header, keys), {
      algorithms: [...keys.algorithms],
      issuer: expected.issuer,
      audience: expected.audience,
      requiredClaims: ["sub", "iat", "exp", "jti"],
      currentDate: new Date(clock()),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: maxLifetimeSeconds,
    }));
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new InvalidTokenError("expired");
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new InvalidTokenError("signature");
    throw new InvalidTokenError("claims", { cause: error });
  }
  const { sub, jti, exp } = payload;
  if (typeof sub !== "string" || !isId("user", sub) || typeof jti !== "string" || !isId("realtimeTicket", jti) || !Number.isSafeInteger(exp)) throw new InvalidTokenError("claims");
  return { userId: sub, ticketId: jti, expiresAt: exp! * 1000 };
}

function keyFor(header: CompactJWSHeaderParameters, keys: SigningKeys): CryptoKey {
  if (Object.keys(header).some((member) => !HEADER_MEMBERS.has(member))) throw new InvalidTokenError("header");
  if (header.typ !== REALTIME_TICKET_TYPE) throw new InvalidTokenError("type");
  const key = typeof header.kid === "string" ? keys.byKid.get(header.kid) : undefined;
  if (!key) throw new InvalidTokenError("unknown-key");
  if (header.alg !== key.alg) throw new InvalidTokenError("algorithm");
  return key.key;
}
