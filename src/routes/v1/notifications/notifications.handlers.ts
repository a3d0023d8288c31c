import type { AppRouteHandler } from "../../../lib/create-router";
import { currentAuth } from "../auth/context";
import { hubsOf } from "./notifications.context";
import type { ListNotificationsRoute, MarkReadRoute } from "./notifications.routes";

/** Notifications are personal: no cache keeps them. */
const NO_STORE = { "Cache-Control": "no-store" };

export const listNotifications: AppRouteHandler<ListNotificationsRoute> = async (c) => {
  const { after, limit, unread } = c.req.valid("query");
  const page = await hubsOf(c).list(currentAuth(c).userId, { after, limit, unreadOnly: unread === "true" });
  return c.json(page, 200, NO_STORE);
};

export const markRead: AppRouteHandler<MarkReadRoute> = async (c) => {
  const { upTo, ids } = c.req.valid("json");
  const result = await hubsOf(c).markRead(currentAuth(c).userId, { upTo, ids });
  return c.json(result, 200, NO_STORE);
};
