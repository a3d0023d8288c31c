import { createRoute, z } from "@hono/zod-openapi";
import { BEARER_AUTH, jsonBody, problemResponse } from "../../../lib/openapi";
import { DEFAULT_PAGE, MAX_PAGE, MAX_READ_IDS } from "../../../services/notifications/types";

const tags = ["Notifications"];
const security = BEARER_AUTH;
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const NotificationSchema = z
  .object({
    seq: z.number().int().openapi({ description: "The user's own sequence number: the cursor of `after` and of the socket's `since`." }),
    id: z.string().openapi({ description: "The event's id; a notification is never delivered twice." }),
    workspaceId: z.string(),
    type: z.string().openapi({ example: "comment.added" }),
    subjectType: z.string(),
    subjectId: z.string(),
    actorId: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()).openapi({ description: "A summary of the subject (texts cut to 280 characters); the API has the whole of it." }),
    createdAt: z.iso.datetime(),
    read: z.boolean(),
  })
  .openapi("Notification");

const ListQuery = z
  .object({
    after: z.coerce.number().pipe(seq).optional().openapi({ description: "Only notifications after this `seq` (0, the default: the oldest kept)." }),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
    unread: z.enum(["true", "false"]).optional().openapi({ description: "`true`: unread notifications only." }),
  })
  .strict();

const ReadSchema = z
  .object({
    upTo: seq.optional().openapi({ description: "Marks every notification up to this `seq` read." }),
    ids: z.array(z.string().max(64)).min(1).max(MAX_READ_IDS).optional().openapi({ description: "Marks these notifications read." }),
  })
  .strict()
  .refine((marks) => marks.upTo !== undefined || marks.ids !== undefined, "upTo or ids is required")
  .openapi("ReadMarkers");

export const listNotifications = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  summary: "The signed-in user's notifications, oldest first after a cursor: for clients without a socket.",
  description: "The newest 1,000 notifications of the last 30 days are kept. `truncated` says that some after `after` are no longer kept.",
  request: { query: ListQuery },
  responses: {
    200: {
      description: "A page of notifications.",
      content: {
        "application/json": {
          schema: z
            .object({
              notifications: z.array(NotificationSchema),
              nextCursor: z.number().int().nullable().openapi({ description: "The `after` of the next page; null at the newest." }),
              latestSeq: z.number().int().openapi({ description: "The newest `seq` handed out: a socket opened with `since` set to it misses nothing." }),
              unreadCount: z.number().int(),
              truncated: z.boolean(),
            })
            .openapi("NotificationPage"),
        },
      },
    },
    400: problemResponse("An invalid query."),
    401: problemResponse("No valid access token, or an API key."),
    503: problemResponse("The notification store did not answer in time."),
  },
});

export const markRead = createRoute({
  method: "post",
  path: "/read",
  tags,
  security,
  summary: "Mark notifications read: every one up to a `seq`, and/or some by id.",
  request: { body: jsonBody(ReadSchema) },
  responses: {
    200: {
      description: "How many changed, and how many are left unread.",
      content: { "application/json": { schema: z.object({ updated: z.number().int(), unreadCount: z.number().int() }).openapi("ReadResult") } },
    },
    400: problemResponse("An invalid body."),
    401: problemResponse("No valid access token, or an API key."),
    503: problemResponse("The notification store did not answer in time."),
  },
});

export type ListNotificationsRoute = typeof listNotifications;
export type MarkReadRoute = typeof markRead;
