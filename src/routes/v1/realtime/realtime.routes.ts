import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import { ApiError } from "../../../lib/errors";
import { BEARER_AUTH, NO_AUTH, problemResponse } from "../../../lib/openapi";
import { TICKET_TTL_SECONDS } from "../../../services/notifications/types";

const tags = ["Notifications"];

const TicketSchema = z
  .object({
    ticket: z.string().openapi({ description: "Opens one socket: pass it as `ticket` to `GET /v1/realtime` once, within `expiresIn` seconds." }),
    expiresAt: z.iso.datetime(),
    expiresIn: z.number().int().openapi({ example: TICKET_TTL_SECONDS }),
  })
  .openapi("RealtimeTicket");

const ConnectQuery = z
  .object({
    ticket: z.string().min(1).max(1024).openapi({ description: "A ticket from `POST /v1/realtime/ticket`, single use." }),
    since: z.coerce
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "The `seq` of the last notification the client holds: every one after it is sent first, then live ones." }),
  })
  .strict();

/**
 * Refuses anything but a WebSocket upgrade with 426, before validation: a browser opening the page
 * by mistake learns what the endpoint is for.
 */
function requireUpgrade(): MiddlewareHandler<AppEnv> {
  return async function requireUpgrade(c, next) {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new ApiError("UPGRADE_REQUIRED", { headers: { Upgrade: "websocket" } });
    await next();
  };
}

export const createTicket = createRoute({
  method: "post",
  path: "/ticket",
  tags,
  security: BEARER_AUTH,
  summary: "A single-use ticket to open the signed-in user's notification socket; API keys get none.",
  description: `Valid for ${TICKET_TTL_SECONDS} seconds and one connection. Browsers cannot set headers on a WebSocket, and a bearer token in a URL ends up in logs and histories: the ticket stands in for it.`,
  responses: {
    201: { description: "The ticket.", content: { "application/json": { schema: TicketSchema } } },
    401: problemResponse("No valid access token, or an API key."),
  },
});

export const connect = createRoute({
  method: "get",
  path: "/",
  tags,
  security: NO_AUTH,
  middleware: [requireUpgrade()] as const,
  summary: "Open the signed-in user's notification socket (WebSocket), with a ticket.",
  description: [
    "The `Origin` must be one of `CORS_ORIGINS`; a client that sends none (not a browser) is let through, the ticket being its credential.",
    'Server messages are JSON: `{"type":"notification","notification":{…}}`, `{"type":"resync"}` when `since` is older than what is kept (read `GET /v1/notifications` again), `{"type":"revoked","workspaceId":…}` when the user left a workspace, `{"type":"read",…}` answering a read marker, `{"type":"error",…}`.',
    'Clients send `ping` (answered `pong` without waking the server) and read markers `{"type":"read","upTo":<seq>,"ids":[…]}`.',
  ].join("\n\n"),
  request: { query: ConnectQuery },
  responses: {
    101: { description: "Switching to the WebSocket protocol." },
    400: problemResponse("An invalid query."),
    401: problemResponse("The ticket is invalid, expired or already used."),
    403: problemResponse("The `Origin` is not allowed."),
    426: problemResponse("Not a WebSocket upgrade."),
  },
});

export type CreateTicketRoute = typeof createTicket;
export type ConnectRoute = typeof connect;
