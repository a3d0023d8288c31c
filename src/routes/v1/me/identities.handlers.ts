import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import { listIdentities as listIdentitiesService, unlinkIdentity as unlinkIdentityService } from "../../../services/oauth/identities";
import { startSignIn } from "../../../services/oauth/sign-in";
import { currentAuth } from "../auth/context";
import { oauthDeps, providerFor, returnTo, setStateCookie } from "../auth/oauth-context";
import type { LinkIdentityRoute, ListIdentitiesRoute, UnlinkIdentityRoute } from "./identities.routes";

const NO_STORE = { "Cache-Control": "no-store" };

export const listIdentities: AppRouteHandler<ListIdentitiesRoute> = async (c) => {
  const found = await listIdentitiesService(oauthDeps(c), currentAuth(c).userId);
  const identities = found.map((identity) => ({ id: identity.id, provider: identity.provider, email: identity.email, createdAt: identity.createdAt.toISOString() }));
  return c.json({ identities }, 200, NO_STORE);
};

// The user authenticates with a bearer token, which a redirect cannot carry: the attempt names them,
// and the cookie binds it to this browser as a sign-in's does.
export const linkIdentity: AppRouteHandler<LinkIdentityRoute> = async (c) => {
  const { provider: name } = c.req.valid("param");
  const provider = providerFor(c, name);
  const target = returnTo(c, c.req.valid("json").returnTo);
  const { url, state } = await startSignIn(oauthDeps(c), provider, { returnTo: target, linkUserId: currentAuth(c).userId });
  setStateCookie(c, name, state);
  return c.json({ authorizationUrl: url }, 200, NO_STORE);
};

export const unlinkIdentity: AppRouteHandler<UnlinkIdentityRoute> = async (c) => {
  await unlinkIdentityService(oauthDeps(c), currentAuth(c).userId, c.req.valid("param").provider, requestMeta(c));
  return c.body(null, 204);
};
