import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import { requestLog } from "../../../middleware/logger";
import { notificationHubs, type NotificationHubs } from "../../../services/notifications/hubs";

/** The users' notification hubs, on the request's clock. */
export function hubsOf(c: Context<AppEnv>): NotificationHubs {
  return notificationHubs(c.env.NOTIFICATION_HUB, { clock: c.var.services.clock });
}

/**
 * Drops user `userId`'s notifications of workspace `workspaceId` once their membership ended (the
 * change has committed). A hub that does not answer is logged, not answered with an error: the
 * membership is gone either way, and a retry of the request would find nothing to remove.
 */
export async function revokeNotifications(c: Context<AppEnv>, userId: string, workspaceId: string): Promise<void> {
  try {
    await hubsOf(c).revokeWorkspace(userId, workspaceId);
  } catch (error) {
    requestLog(c).error("notifications not revoked", { userId, workspaceId, error });
  }
}

/** Erases a deleted account's hub and closes its sockets; like a revocation, a hub that fails is logged. */
export async function forgetNotifications(c: Context<AppEnv>, userId: string): Promise<void> {
  try {
    await hubsOf(c).forget(userId);
  } catch (error) {
    requestLog(c).error("notifications not erased", { userId, error });
  }
}
