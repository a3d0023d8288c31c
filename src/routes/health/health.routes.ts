import { createRoute, z } from "@hono/zod-openapi";
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from "../../lib/problem";

const DependencyStatusSchema = z
  .object({
    name: z.enum(["database", "redis"]),
    ok: z.boolean(),
    latencyMs: z.number().int(),
  })
  .openapi("DependencyStatus");

export const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Liveness: the Worker runs. Touches no configuration or dependency.",
  responses: {
    200: {
      description: "The Worker is alive.",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
    },
  },
});

export const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Operations"],
  summary: "Readiness: configuration is valid and every configured dependency answers.",
  responses: {
    200: {
      description: "Ready to serve.",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ready"), checks: z.array(DependencyStatusSchema) }),
        },
      },
    },
    503: {
      description: "A dependency is unavailable; `checks` says which.",
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema.extend({ checks: z.array(DependencyStatusSchema) }) } },
    },
  },
});

export type HealthRoute = typeof health;
export type ReadyRoute = typeof ready;
