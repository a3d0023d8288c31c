import { base64url, exportJWK, exportSPKI, generateKeyPair, importJWK, type CryptoKey } from "jose";
import {
  ACCESS_TOKEN_TYPE,
  createOpaqueToken,
  publicJwkSet,
  type AccessTokenClaims,
  type InvalidTokenReason,
  type SigningJwk,
  type SigningKeySet,
} from "../../src/lib/tokens";

export interface ForgedToken {
  name: string;
  token: string;
  /** Why verification must refuse it; the API answers every one of them with the same 401. */
  reason: InvalidTokenReason;
}

type Header = Record<string, unknown>;
type Payload = object;

/**
 * Access tokens that must all be refused, each `claims` (which would be accepted) with one thing
 * wrong: forged with raw WebCrypto, not with the code under test. `claims` must be valid for the
 * verifier's clock, which must lie between their `iat` and `exp`. Pass a session's real refresh
 * token to show the API refusing, as an access token, one it accepts at refresh.
 * @example for (const { name, token } of await forgedAccessTokens(keySet, claims, { refreshToken })) …
 */
export async function forgedAccessTokens(
  keySet: SigningKeySet,
  claims: AccessTokenClaims,
  { refreshToken = createOpaqueToken("refresh") }: { refreshToken?: string } = {},
): Promise<ForgedToken[]> {
  const ours = keySet.keys[0]!;
  const header: Header = { alg: ours.alg, kid: ours.kid, typ: ACCESS_TOKEN_TYPE };
  const publicJwk = publicJwkSet({ keys: [ours] }).keys[0]!;
  const attacker = await generateKeyPair(ours.alg, { extractable: true });
  const attackerJwk = await exportJWK(attacker.publicKey);
  const publicPem = await exportSPKI(await importJWK(publicJwk, ours.alg, { extractable: true }) as CryptoKey);
  const signed = (h: Header, p: Payload) => signWith(ours, h, p);
  const attackerSigned = (h: Header, p: Payload) => signCompact(h, p, attacker.privateKey);
  const { exp: _exp, ...withoutExp } = claims;
  const good = await signed(header, claims);
  const [encodedHeader, , signature] = good.split(".");

  return [
    { name: "alg none", reason: "algorithm", token: `${segment({ ...header, alg: "none" })}.${segment(claims)}.` },
    { name: "HS256 keyed with the bytes of our public JWK", reason: "algorithm", token: await hmacSigned(header, claims, JSON.stringify(publicJwk)) },
    { name: "HS256 keyed with our public key's PEM", reason: "algorithm", token: await hmacSigned(header, claims, publicPem) },
    { name: "expired", reason: "expired", token: await signed(header, { ...claims, iat: claims.iat - 1000, exp: claims.iat - 100 }) },
    { name: "nbf in the future", reason: "not-yet-valid", token: await signed(header, { ...claims, nbf: claims.exp + 60 }) },
    { name: "iat in the future", reason: "not-yet-valid", token: await signed(header, { ...claims, iat: claims.exp + 60, exp: claims.exp + 120 }) },
    { name: "wrong iss", reason: "issuer", token: await signed(header, { ...claims, iss: "https://attacker.example" }) },
    { name: "wrong aud", reason: "audience", token: await signed(header, { ...claims, aud: "another-service" }) },
    { name: "wrong typ", reason: "type", token: await signed({ ...header, typ: "JWT" }, claims) },
    { name: "missing exp", reason: "missing-claim", token: await signed(header, withoutExp) },
    { name: "a lifetime over 15 minutes", reason: "claims", token: await signed(header, { ...claims, exp: claims.iat + 3600 }) },
    { name: "an empty session id", reason: "claims", token: await signed(header, { ...claims, sid: "" }) },
    {
      name: "unknown crit",
      reason: "header",
      token: await signed({ ...header, crit: ["urn:example:must-understand"], "urn:example:must-understand": true }, claims),
    },
    { name: "tampered payload", reason: "signature", token: `${encodedHeader}.${segment({ ...claims, sub: `${claims.sub}-other` })}.${signature}` },
    { name: "embedded jwk, signed with the attacker's key", reason: "header", token: await attackerSigned({ ...header, jwk: attackerJwk }, claims) },
    { name: "jku header", reason: "header", token: await attackerSigned({ ...header, jku: "https://attacker.example/jwks.json" }, claims) },
    { name: "x5u header", reason: "header", token: await attackerSigned({ ...header, x5u: "https://attacker.example/cert.pem" }, claims) },
    { name: "x5c header", reason: "header", token: await attackerSigned({ ...header, x5c: [base64url.encode("not a certificate")] }, claims) },
    { name: "unknown kid, signed with our key", reason: "unknown-key", token: await signed({ ...header, kid: "not-in-the-set" }, claims) },
    { name: "no kid, signed with our key", reason: "unknown-key", token: await signed({ alg: ours.alg, typ: ACCESS_TOKEN_TYPE }, claims) },
    { name: "a key not ours under our kid", reason: "signature", token: await attackerSigned(header, claims) },
    { name: "a refresh token used as an access token", reason: "wrong-kind", token: refreshToken },
  ];
}

/** Signs `header` and `payload` exactly as given, with no check of either: for forging. */
export async function signCompact(header: Header, payload: Payload, key: CryptoKey): Promise<string> {
  const input = `${segment(header)}.${segment(payload)}`;
  const algorithm = key.algorithm.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : key.algorithm.name;
  const signature = await crypto.subtle.sign(algorithm, key, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

/** `signCompact` with a private key of our set. */
export async function signWith(jwk: SigningJwk, header: Header, payload: Payload): Promise<string> {
  const { kid: _kid, use: _use, ...material } = jwk;
  return signCompact(header, payload, (await importJWK(material, jwk.alg)) as CryptoKey);
}

async function hmacSigned(header: Header, payload: Payload, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return signCompact({ ...header, alg: "HS256" }, payload, key);
}

function segment(value: object): string {
  return base64url.encode(JSON.stringify(value));
}
