import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";
import { z } from "zod";
import { normalizeEmail } from "../../identity/emails";
import { getJson, providerUnavailable, tokenRequest, type ProviderCalls } from "../provider-http";
import { OAuthFlowError, type OAuthProvider, type ProviderIdentity } from "../types";

export interface GitHubSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** The REST API's base: `https://api.github.com`, or `https://HOST/api/v3`. */
  apiUrl: string;
}

const SCOPES = ["read:user", "user:email"];

/** GitHub answers a refused code with 200 and `{ error }`, so both shapes are expected. */
const TokenResponseSchema = z.union([
  z.object({ access_token: z.string().min(1).max(4096) }),
  z.object({ error: z.string().max(200) }),
]);

const UserSchema = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  login: z.string().max(100),
  name: z.string().max(200).nullable().optional(),
});

const EmailsSchema = z
  .array(z.object({ email: z.string().min(3).max(254), primary: z.boolean(), verified: z.boolean() }))
  .max(100);

/**
 * Sign in with GitHub: an OAuth app, authorization code with PKCE (S256) and state. GitHub issues no
 * ID token: the user comes from `/user`, the address from `/user/emails` (the primary one, and only
 * when GitHub has verified it).
 */
export class GitHubProvider implements OAuthProvider {
  readonly name = "github";
  readonly #client: OAuth2Client;

  constructor(
    private readonly settings: GitHubSettings,
    private readonly calls: ProviderCalls,
  ) {
    this.#client = new OAuth2Client(settings.clientId, settings.clientSecret, settings.redirectUri);
  }

  authorizationRequest() {
    const state = generateState();
    const codeVerifier = generateCodeVerifier();
    const url = this.#client.createAuthorizationURLWithPKCE(this.settings.authorizationUrl, state, CodeChallengeMethod.S256, codeVerifier, SCOPES);
    return { state, codeVerifier, nonce: null, url };
  }

  async identify(code: string, attempt: { codeVerifier: string }): Promise<ProviderIdentity> {
    const tokens = await tokenRequest(this.calls, () => this.#client.validateAuthorizationCode(this.settings.tokenUrl, code, attempt.codeVerifier));
    const parsed = TokenResponseSchema.safeParse(tokens.data);
    if (!parsed.success) throw providerUnavailable(this.calls, "token", "unexpected answer");
    if ("error" in parsed.data) {
      this.calls.log.info("oauth code refused", { provider: "github", error: parsed.data.error });
      throw new OAuthFlowError("provider_refused");
    }
    const headers = {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${parsed.data.access_token}`,
      "User-Agent": "edge-backend",
      "X-GitHub-Api-Version": "2022-11-28",
    };
    const api = this.settings.apiUrl.replace(/\/+$/, "");
    const [user, emails] = await Promise.all([
      getJson(this.calls, "user", `${api}/user`, headers, UserSchema),
      getJson(this.calls, "emails", `${api}/user/emails`, headers, EmailsSchema),
    ]);
    const primary = emails.find((email) => email.primary && email.verified);
    return {
      provider: "github",
      subject: String(user.id),
      email: primary ? normalizeEmail(primary.email) : null,
      emailVerified: primary !== undefined,
      name: user.name?.trim().slice(0, 100) || user.login.slice(0, 100) || null,
    };
  }
}
