import { createRoute, z } from "@hono/zod-openapi";

const OutboxMailSchema = z.object({
  id: z.string(),
  to: z.string(),
  template: z.string(),
  locale: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  /** The links of the text, for a developer who wants the verification or reset link. */
  links: z.array(z.string()),
  createdAt: z.iso.datetime(),
});

/** Development and test only, so not in the OpenAPI document. */
export const outbox = createRoute({
  method: "get",
  path: "/dev/outbox",
  hide: true,
  request: { query: z.object({ to: z.string().trim().min(1).max(254).optional() }).strict() },
  responses: { 200: { description: "The newest mails, newest first.", content: { "application/json": { schema: z.object({ mails: z.array(OutboxMailSchema) }) } } } },
});

export type OutboxRoute = typeof outbox;
