import { z, type RouteConfig } from "@hono/zod-openapi";
import { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_LOCK_SECONDS, IDEMPOTENCY_TTL_SECONDS } from "../../middleware/idempotency";
import { problemResponse } from "../openapi";

// Spelled as clients send it; the middleware reads and checks it (the validator sees headers lowercased).
const IdempotencyKeyHeaders = z.object({
  "Idempotency-Key": z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .optional()
    .openapi({
      param: { name: "Idempotency-Key", in: "header" },
      description: `Makes a retry safe: the first answer is replayed for ${IDEMPOTENCY_TTL_SECONDS / 3600} hours to a request with the same key and body (with \`Idempotency-Replayed: true\`). 1 to 255 printable ASCII characters, e.g. a UUID.`,
      example: "0b7c7a63-5b0e-4a3c-9d8e-2f4f6d1a9c21",
    }),
});

const PROBLEMS = {
  400: "The `Idempotency-Key` is not 1 to 255 printable ASCII characters.",
  409: `IDEMPOTENCY_KEY_IN_USE: a request with this key is still running (at most ${IDEMPOTENCY_LOCK_SECONDS} s); \`Retry-After\` says when to retry.`,
  422: "IDEMPOTENCY_KEY_REUSED: this key was used with another body.",
  503: "SERVICE_UNAVAILABLE: the idempotency store cannot be reached; nothing was done. `Retry-After` says when to retry.",
} as const;

/**
 * `route` as the OpenAPI document shows a POST that honours `Idempotency-Key`: the header among its
 * parameters (unless the route declares headers of its own) and the answers it adds, each appended
 * to the route's own description of that status. The type stays the route's: clients are typed by
 * what the handler answers.
 */
export function withIdempotencyKey<const R extends Pick<RouteConfig, "request" | "responses">>(route: R): R {
  const responses: RouteConfig["responses"] = { ...route.responses };
  for (const [status, description] of Object.entries(PROBLEMS)) {
    const own = responses[status];
    responses[status] = own && "description" in own ? { ...own, description: `${own.description} Or ${description}` } : problemResponse(description);
  }
  return { ...route, request: { ...route.request, headers: route.request?.headers ?? IdempotencyKeyHeaders }, responses };
}
