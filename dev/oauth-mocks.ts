import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Events, OAuth2Server, type MutableRedirectUri, type MutableResponse, type MutableToken } from "oauth2-mock-server";
import { closeServer, listen } from "./listen.ts";
import type { OAuthMockInfo } from "./stack-info.ts";

/**
 * What one sign-in at a mock provider returns, chosen by the test through query parameters it adds
 * to the authorization URL the app made (`test_sub`, `test_email`, …): each attempt carries its own,
 * so test files running at once do not meet. Read at `/authorize`, kept with the code it issues.
 */
interface MockSignIn {
  subject?: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  /** Google: an ID token for another audience, or with another nonce. */
  audience?: string;
  nonce?: string;
  /** `token`: the token endpoint answers 503; `user`: GitHub's API does; `hang`: GitHub's API never answers. */
  outage?: "token" | "user" | "hang";
}

/** Codes issued and not yet traded; a run issues a few hundred at most. */
const MAX_PENDING = 10_000;

function readSignIn(query: URLSearchParams): MockSignIn {
  const text = (name: string) => query.get(`test_${name}`) ?? undefined;
  const verified = text("email_verified");
  return {
    subject: text("sub"),
    email: text("email"),
    emailVerified: verified === undefined ? undefined : verified === "true",
    name: text("name"),
    audience: text("aud"),
    nonce: text("nonce"),
    outage: text("outage") as MockSignIn["outage"],
  };
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_PENDING) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/**
 * Google's side: oauth2-mock-server, a real OpenID Connect provider signing ID tokens with its own
 * JWKS, checking PKCE, and carrying the nonce of `/authorize` into the ID token; its audience is the
 * client id the app authenticates with.
 */
async function startGoogleMock() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  const byCode = new Map<string, MockSignIn>();
  server.service.on(Events.BeforeAuthorizeRedirect, (redirect: MutableRedirectUri, req: IncomingMessage) => {
    const code = redirect.url.searchParams.get("code");
    if (code) remember(byCode, code, readSignIn(new URL(req.url ?? "/", "http://mock").searchParams));
  });
  server.service.on(Events.BeforeTokenSigning, (token: MutableToken, req: IncomingMessage & { body?: Record<string, unknown> }) => {
    const signIn = byCode.get(String(req.body?.code));
    if (!signIn) return;
    const payload = token.payload as Record<string, unknown>;
    payload.sub = signIn.subject ?? "google-subject";
    // Only the ID token has an audience here (the access token of this grant has none).
    if (payload.aud === undefined) return;
    if (signIn.audience) payload.aud = signIn.audience;
    if (signIn.nonce) payload.nonce = signIn.nonce;
    if (signIn.email) payload.email = signIn.email;
    if (signIn.emailVerified !== undefined) payload.email_verified = signIn.emailVerified;
    if (signIn.name) payload.name = signIn.name;
  });
  server.service.on(Events.BeforeResponse, (response: MutableResponse, req: IncomingMessage & { body?: Record<string, unknown> }) => {
    const code = String(req.body?.code);
    const signIn = byCode.get(code);
    byCode.delete(code);
    if (signIn?.outage === "token") {
      response.statusCode = 503;
      response.body = { message: "unavailable" };
    }
  });
  await server.start(0, "127.0.0.1");
  const issuer = server.issuer.url!;
  return {
    info: { issuer, authorizationUrl: `${issuer}/authorize`, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks` },
    close: () => server.stop(),
  };
}

/** GitHub's side: the authorize redirect, the token endpoint (PKCE checked, 200 `{ error }` on refusal as GitHub does), `/user` and `/user/emails`. */
async function startGitHubMock(clientId: string, clientSecret: string) {
  const codes = new Map<string, { challenge: string; signIn: MockSignIn }>();
  const tokens = new Map<string, MockSignIn>();
  const hanging = new Set<ServerResponse>();

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    return new URLSearchParams(text);
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://mock");
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const code = randomBytes(16).toString("hex");
      remember(codes, code, { challenge: url.searchParams.get("code_challenge") ?? "", signIn: readSignIn(url.searchParams) });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { Location: back.toString() }).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const form = await readBody(req);
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
      if (req.headers.authorization !== expected) return json(res, 200, { error: "incorrect_client_credentials" });
      const pending = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      if (!pending) return json(res, 200, { error: "bad_verification_code" });
      if (pending.signIn.outage === "token") return json(res, 503, { message: "unavailable" });
      const challenge = createHash("sha256").update(form.get("code_verifier") ?? "").digest("base64url");
      if (challenge !== pending.challenge) return json(res, 200, { error: "bad_verification_code" });
      const accessToken = `gho_${randomBytes(16).toString("hex")}`;
      remember(tokens, accessToken, pending.signIn);
      return json(res, 200, { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" });
    }
    const signIn = tokens.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (req.method === "GET" && signIn && (url.pathname === "/api/v3/user" || url.pathname === "/api/v3/user/emails")) {
      if (signIn.outage === "user") return json(res, 503, { message: "unavailable" });
      if (signIn.outage === "hang") {
        hanging.add(res);
        return;
      }
      if (url.pathname === "/api/v3/user") return json(res, 200, { id: Number(signIn.subject ?? "1"), login: "octocat", name: signIn.name ?? null, email: null });
      const emails: Array<{ email: string; primary: boolean; verified: boolean; visibility: string | null }> = [
        { email: "secondary@example.test", primary: false, verified: true, visibility: null },
      ];
      if (signIn.email) emails.push({ email: signIn.email, primary: true, verified: signIn.emailVerified ?? true, visibility: "private" });
      return json(res, 200, emails);
    }
    json(res, 404, { message: "Not Found" });
  });
  const port = await listen(server, "127.0.0.1", 0);
  const base = `http://127.0.0.1:${port}`;
  return {
    info: { authorizationUrl: `${base}/login/oauth/authorize`, tokenUrl: `${base}/login/oauth/access_token`, apiUrl: `${base}/api/v3` },
    close: async () => {
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
}

/** Starts both mock providers on loopback, with this run's client credentials. */
export async function startOAuthMocks(): Promise<{ info: OAuthMockInfo; close(): Promise<void> }> {
  const google = { clientId: "test-google-client", clientSecret: randomBytes(12).toString("hex") };
  const github = { clientId: "test-github-client", clientSecret: randomBytes(12).toString("hex") };
  const [googleMock, githubMock] = await Promise.all([startGoogleMock(), startGitHubMock(github.clientId, github.clientSecret)]);
  return {
    info: { google: { ...google, ...googleMock.info }, github: { ...github, ...githubMock.info } },
    close: async () => {
      await Promise.all([googleMock.close(), githubMock.close()]);
    },
  };
}
