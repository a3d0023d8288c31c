import { createRoute, z } from "@hono/zod-openapi";
import { NO_AUTH } from "../../lib/openapi";
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from "../../lib/problem";

export const health = createRoute({
  method: "get",
  path: "/health",
  security: NO_AUTH,
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
  security: NO_AUTH,
  tags: ["Operations"],
  summary: "Readiness: configuration is valid and every configured dependency answers (cached for 5 s per isolate).",
  responses: {
    200: {
      description: "Ready to serve.",
      content: {
        "application/json": {
          schema: z.object({ status: z.literal("ready") }),
        },
      },
    },
    403: {
      description: "FORBIDDEN: the IP rules refuse the client's address.",
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    },
    503: {
      description: "A dependency is unavailable; the log line says which. Answers are cached for a few seconds.",
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    },
  },
});

export type HealthRoute = typeof health;
export type ReadyRoute = typeof ready;
