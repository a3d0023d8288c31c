import type { AppRouteHandler } from "../../../lib/create-router";
import { negotiateLanguage } from "../../../lib/i18n";
import { requestMeta } from "../../../lib/request-meta";
import { exchangeCode } from "../../../services/oauth/exchange";
import { returnUrl } from "../../../services/oauth/return-to";
import { finishSignIn, startSignIn } from "../../../services/oauth/sign-in";
import { sessionDeps } from "./context";
import { oauthDeps, providerFor, returnTo, setStateCookie, takeStateCookie } from "./oauth-context";
import type { CallbackRoute, ExchangeRoute, StartRoute } from "./oauth.routes";

/** The code in the redirect must not leak to the page's outbound links; no cache keeps either answer. */
const REDIRECT_HEADERS = { "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" };

export const start: AppRouteHandler<StartRoute> = async (c) => {
  const { provider: name } = c.req.valid("param");
  const provider = providerFor(c, name);
  const target = returnTo(c, c.req.valid("query").returnTo);
  const { url, state } = await startSignIn(oauthDeps(c), provider, { returnTo: target, linkUserId: null });
  setStateCookie(c, name, state);
  return c.body(null, 302, { Location: url, ...REDIRECT_HEADERS });
};

export const callback: AppRouteHandler<CallbackRoute> = async (c) => {
  const { provider: name } = c.req.valid("param");
  const provider = providerFor(c, name);
  const { state, code, error } = c.req.valid("query");
  const cookieState = takeStateCookie(c, name);
  const locale = negotiateLanguage(c.req.header("Accept-Language"));
  const result = await finishSignIn(oauthDeps(c), provider, { state, code, error, cookieState }, { locale, meta: requestMeta(c) });
  if ("failure" in result) return c.body(null, 302, { Location: returnUrl(result.returnTo, { error: result.failure }), ...REDIRECT_HEADERS });
  c.set("userId", result.outcome.userId);
  const params: Record<string, string> = result.outcome.kind === "signed-in" ? { code: result.outcome.code } : { linked: name };
  return c.body(null, 302, { Location: returnUrl(result.returnTo, params), ...REDIRECT_HEADERS });
};

export const exchange: AppRouteHandler<ExchangeRoute> = async (c) => {
  const tokens = await exchangeCode(sessionDeps(c), c.req.valid("json").code, requestMeta(c));
  return c.json(tokens, 200, { "Cache-Control": "no-store" });
};
