import { createRoute, z } from "@hono/zod-openapi";
import { EXPOSITION_CONTENT_TYPE } from "../../lib/metrics";
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from "../../lib/problem";

const problem = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } });

export const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Operations"],
  summary: "Prometheus metrics of every isolate, summed (text exposition format 0.0.4). Needs METRICS_TOKEN as a bearer token.",
  security: [{ metricsToken: [] }],
  responses: {
    200: {
      description: "Every series the aggregator holds: request counts and durations by route template, database calls, cache lookups, rate-limit decisions, authentication events, problems by code.",
      content: { [EXPOSITION_CONTENT_TYPE]: { schema: z.string() } },
    },
    401: problem("No bearer token, or not METRICS_TOKEN (every request is refused while it is unset)."),
    503: problem("The aggregator did not answer in time."),
  },
});

export type MetricsRoute = typeof metrics;
