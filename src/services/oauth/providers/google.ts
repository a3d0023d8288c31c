import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet } from "jose";
import { z } from "zod";
import type { Clock } from "../../../lib/clock";
import { TtlCache } from "../../../lib/ttl-cache";
import { normalizeEmail } from "../../identity/emails";
import { getJson, providerUnavailable, tokenRequest, type ProviderCalls } from "../provider-http";
import { OAuthFlowError, type OAuthProvider, type ProviderIdentity } from "../types";

export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizationUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  issuer: string;
}

const SCOPES = ["openid", "email", "profile"];

const TokenResponseSchema = z.object({ id_token: z.string().min(1).max(16_384), access_token: z.string().min(1).max(4096) });

const JwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().max(256).optional() })).min(1).max(20) });

/** The ID token's claims we use; signature, `iss`, `aud` and `exp` are jose's to check. */
const IdTokenClaimsSchema = z.object({
  sub: z.string().min(1).max(255),
  nonce: z.string(),
  email: z.string().min(3).max(254).optional(),
  // Google sends a boolean; older tokens carried the text "true".
  email_verified: z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]).optional(),
  name: z.string().max(200).optional(),
});

/**
 * Google's published keys, per isolate and per JWKS URL: 10 minutes, and fetched again sooner when a
 * token names a key they lack (Google rotates them). Plain data, never a promise another request
 * awaits: each request that misses fetches them itself.
 */
const keySets = new TtlCache<string, { keys: JSONWebKeySet; fetchedAt: number }>({ maxEntries: 4, ttlMs: 10 * 60_000, clock: () => Date.now() });
/** A token naming an unknown key fetches the keys again at most this often. */
const REFETCH_AFTER_MS = 60_000;

/** Sign in with Google: OpenID Connect, authorization code with PKCE (S256), state and nonce. */
export class GoogleProvider implements OAuthProvider {
  readonly name = "google";
  readonly #client: OAuth2Client;

  constructor(
    private readonly settings: GoogleSettings,
    private readonly calls: ProviderCalls,
    private readonly clock: Clock,
  ) {
    this.#client = new OAuth2Client(settings.clientId, settings.clientSecret, settings.redirectUri);
  }

  authorizationRequest() {
    const state = generateState();
    const codeVerifier = generateCodeVerifier();
    const nonce = generateState();
    const url = this.#client.createAuthorizationURLWithPKCE(this.settings.authorizationUrl, state, CodeChallengeMethod.S256, codeVerifier, SCOPES);
    url.searchParams.set("nonce", nonce);
    return { state, codeVerifier, nonce, url };
  }

  async identify(code: string, attempt: { codeVerifier: string; nonce: string | null }): Promise<ProviderIdentity> {
    const tokens = await tokenRequest(this.calls, () => this.#client.validateAuthorizationCode(this.settings.tokenUrl, code, attempt.codeVerifier));
    const parsed = TokenResponseSchema.safeParse(tokens.data);
    if (!parsed.success) throw providerUnavailable(this.calls, "token", "unexpected answer");
    const claims = await this.#verifyIdToken(parsed.data.id_token, attempt.nonce);
    return {
      provider: "google",
      subject: claims.sub,
      email: claims.email ? normalizeEmail(claims.email) : null,
      emailVerified: claims.email_verified === true,
      name: claims.name?.trim().slice(0, 100) || null,
    };
  }

  /** Signature from Google's keys, then `iss`, `aud`, `exp` and our nonce; any failure is a refusal. */
  async #verifyIdToken(idToken: string, nonce: string | null): Promise<z.infer<typeof IdTokenClaimsSchema>> {
    const options = { issuer: this.settings.issuer, audience: this.settings.clientId, algorithms: ["RS256"], currentDate: new Date(this.clock()) };
    // Keys fetched outside the try: their outage is a 502, not a refusal.
    const keys = await this.#keys(false);
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(idToken, createLocalJWKSet(keys), options));
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) return this.#refuse("invalid", error);
      const fresher = await this.#keys(true);
      try {
        ({ payload } = await jwtVerify(idToken, createLocalJWKSet(fresher), options));
      } catch (again) {
        return this.#refuse("invalid", again);
      }
    }
    const claims = IdTokenClaimsSchema.safeParse(payload);
    if (!claims.success) return this.#refuse("claims", undefined);
    if (nonce === null || claims.data.nonce !== nonce) return this.#refuse("nonce", undefined);
    return claims.data;
  }

  #refuse(reason: string, error: unknown): never {
    const code = error instanceof joseErrors.JOSEError ? error.code : undefined;
    this.calls.log.info("oauth id token refused", { provider: "google", reason, ...(code ? { code } : {}) });
    throw new OAuthFlowError("provider_refused");
  }

  async #keys(stale: boolean): Promise<JSONWebKeySet> {
    const url = this.settings.jwksUrl;
    const cached = keySets.get(url);
    if (cached && !(stale && Date.now() - cached.fetchedAt >= REFETCH_AFTER_MS)) return cached.keys;
    const keys = (await getJson(this.calls, "keys", url, { Accept: "application/json" }, JwksSchema)) as JSONWebKeySet;
    keySets.set(url, { keys, fetchedAt: Date.now() });
    return keys;
  }
}
