import type { z } from "@hono/zod-openapi";
import { ProblemSchema, PROBLEM_CONTENT_TYPE } from "./problem";

/** A route's problem+json response in the OpenAPI document. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

/** The `security` of a route behind `authenticate()` (the scheme is registered in app.ts). */
export const BEARER_AUTH = [{ bearerAuth: [] }];

/** The `security` of a public route: anyone may call it, with credentials or without. */
export const NO_AUTH: Array<Record<string, string[]>> = [];
