import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import { deleteAccount, readProfile, updateProfile } from "../../../services/identity/profile";
import type { UserProfile } from "../../../services/identity/users";
import { accountDeps, forgetSessions } from "../auth/account-context";
import { currentAuth } from "../auth/context";
import { forgetNotifications } from "../notifications/notifications.context";
import type { DeleteMeRoute, GetMeRoute, UpdateMeRoute } from "./me.routes";

/** A profile is personal: no cache keeps it. */
const NO_STORE = { "Cache-Control": "no-store" };

export const getMe: AppRouteHandler<GetMeRoute> = async (c) => {
  const auth = currentAuth(c);
  // Authentication that had to check the session read the profile in the same round trip; otherwise
  // the cache has it (no round trip) or reads it (one).
  const user = auth.user ?? (await readProfile(accountDeps(c), auth.userId));
  return c.json(toResponse(user), 200, NO_STORE);
};

export const updateMe: AppRouteHandler<UpdateMeRoute> = async (c) => {
  const { name, locale } = c.req.valid("json");
  const user = await updateProfile(accountDeps(c), currentAuth(c).userId, { name, locale }, requestMeta(c));
  return c.json(toResponse(user), 200, NO_STORE);
};

export const deleteMe: AppRouteHandler<DeleteMeRoute> = async (c) => {
  const { userId } = currentAuth(c);
  const { endedSessionIds } = await deleteAccount(accountDeps(c), userId, requestMeta(c));
  forgetSessions(c, endedSessionIds);
  await forgetNotifications(c, userId);
  return c.body(null, 204);
};

/** The profile as the API shows it: the verification as a flag, times in ISO 8601, nothing else. */
function toResponse(user: UserProfile) {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    name: user.name,
    locale: user.locale,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
