import type { AppRouteHandler } from "../../../lib/create-router";
import { ApiError } from "../../../lib/errors";
import { InvalidTokenError } from "../../../lib/tokens";
import { signRealtimeTicket, verifyRealtimeTicket } from "../../../lib/tokens/realtime-ticket";
import { requestLog } from "../../../middleware/logger";
import { TICKET_TTL_SECONDS } from "../../../services/notifications/types";
import { currentAuth } from "../auth/context";
import { hubsOf } from "../notifications/notifications.context";
import type { ConnectRoute, CreateTicketRoute } from "./realtime.routes";

export const createTicket: AppRouteHandler<CreateTicketRoute> = async (c) => {
  const { config, services } = c.var;
  const expected = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
  const { ticket, expiresAt } = await signRealtimeTicket(currentAuth(c).userId, await services.signingKeys(), expected, TICKET_TTL_SECONDS, services.clock);
  return c.json({ ticket, expiresAt: new Date(expiresAt).toISOString(), expiresIn: TICKET_TTL_SECONDS }, 201, { "Cache-Control": "no-store" });
};

/**
 * Checks the Origin and the ticket here, so a forged or foreign request never wakes a hub; the
 * user's hub then burns the ticket (single use) and accepts the socket. No database round trip.
 */
export const connect: AppRouteHandler<ConnectRoute> = async (c) => {
  const { config, services } = c.var;
  const origin = c.req.header("Origin");
  // Browsers always send Origin on a WebSocket handshake; other clients have no page to be tricked by.
  if (origin !== undefined && !config.CORS_ORIGINS.includes(origin)) throw new ApiError("FORBIDDEN", { detail: "realtimeOrigin" });
  const { ticket: token, since } = c.req.valid("query");
  let ticket;
  try {
    ticket = await verifyRealtimeTicket(token, await services.signingKeys(), { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }, TICKET_TTL_SECONDS, services.clock);
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    throw refused(c, error.reason);
  }
  const response = await hubsOf(c).connect(ticket, since);
  if (response.status === 101) return response as never;
  const reason = await response.text();
  if (response.status === 401) throw refused(c, reason);
  throw new Error(`notification hub refused a connection with ${response.status}`);
};

function refused(c: Parameters<AppRouteHandler<ConnectRoute>>[0], reason: string): ApiError {
  requestLog(c).info("realtime ticket refused", { reason });
  return new ApiError("UNAUTHORIZED", { detail: "realtimeTicket" });
}
