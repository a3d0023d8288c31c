import { createRoute, z } from "@hono/zod-openapi";
import { OAUTH_PROVIDERS } from "../../../db/schema";
import { jsonBody, NO_AUTH, problemResponse } from "../../../lib/openapi";
import { MAX_RETURN_TO_LENGTH } from "../../../services/oauth/return-to";
import { OAUTH_FAILURES } from "../../../services/oauth/types";
import { TokenPairSchema } from "./sessions.routes";

export const ProviderParams = z.object({ provider: z.enum(OAUTH_PROVIDERS).openapi({ param: { name: "provider", in: "path" } }) });

export const ReturnToSchema = z.string().min(1).max(MAX_RETURN_TO_LENGTH).openapi({
  description: "Where the browser lands afterwards: a path on the web app (`/settings`) or a URL on its origin or one of `OAUTH_RETURN_ORIGINS`. `/` by default.",
});

const StartQuery = z.object({ returnTo: ReturnToSchema.optional() }).strict();

const CallbackQuery = z
  .object({
    state: z.string().max(256).optional(),
    code: z.string().max(2048).optional(),
    error: z.string().max(256).optional(),
    // What providers add beside them; read by nobody.
    error_description: z.string().max(1024).optional(),
    error_uri: z.string().max(1024).optional(),
    scope: z.string().max(1024).optional(),
    authuser: z.string().max(16).optional(),
    prompt: z.string().max(64).optional(),
    hd: z.string().max(256).optional(),
    iss: z.string().max(256).optional(),
    session_state: z.string().max(256).optional(),
  })
  .strict();

const ExchangeSchema = z.object({ code: z.string().min(1).max(128) }).strict().openapi("OAuthExchange");

const tags = ["Authentication"];
const redirect = (description: string) => ({ description, headers: z.object({ Location: z.string() }) });

export const start = createRoute({
  method: "get",
  path: "/oauth/{provider}/start",
  security: NO_AUTH,
  tags,
  summary: "Sign in with Google or GitHub: redirects to the provider with state, PKCE (S256) and, for Google, a nonce, bound to this browser by a cookie for 10 minutes.",
  request: { params: ProviderParams, query: StartQuery },
  responses: {
    302: redirect("To the provider; sets the `oauth_state` cookie (HttpOnly, Secure, SameSite=Lax, path of the callback)."),
    400: problemResponse("A `returnTo` that is neither a path on the web app nor on an allowed origin."),
    404: problemResponse("This provider is not configured here."),
  },
});

export const callback = createRoute({
  method: "get",
  path: "/oauth/{provider}/callback",
  security: NO_AUTH,
  tags,
  summary: "Where the provider returns the browser. Redirects to `returnTo` with `?code=` (trade it at /v1/auth/oauth/exchange), `?linked=<provider>`, or `?error=`.",
  description: `\`error\` is one of: ${OAUTH_FAILURES.map((failure) => `\`${failure}\``).join(", ")}.`,
  request: { params: ProviderParams, query: CallbackQuery },
  responses: {
    302: redirect("To `returnTo` with `code`, `linked` or `error`."),
    400: problemResponse("The state is missing, does not match this browser's cookie, or is used or expired; nothing was done."),
    404: problemResponse("This provider is not configured here."),
    502: problemResponse("The provider failed to answer, or answered nonsense; nothing was written. Start again."),
  },
});

export const exchange = createRoute({
  method: "post",
  path: "/oauth/exchange",
  security: NO_AUTH,
  tags,
  summary: "Trade the callback's one-time code (valid 2 minutes, once) for a token pair.",
  request: { body: jsonBody(ExchangeSchema) },
  responses: {
    200: { description: "Signed in.", content: { "application/json": { schema: TokenPairSchema } } },
    400: problemResponse("INVALID_TOKEN: the code is unknown, used or expired; or an invalid body."),
  },
});

export type StartRoute = typeof start;
export type CallbackRoute = typeof callback;
export type ExchangeRoute = typeof exchange;
