import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "./app-env";
import type { ApiError, ErrorCode, FieldIssue } from "./errors";
import { formatMessage, messagesFor, negotiateLanguage } from "./i18n";

/** Problem `type` URIs are this base plus the code in kebab case; they never change once published. */
export const PROBLEM_TYPE_BASE = "https://errors.edge-backend.dev/";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** @example problemType("NOT_FOUND") // "https://errors.edge-backend.dev/not-found" */
export function problemType(code: ErrorCode): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll("_", "-");
}

/** RFC 9457 problem details, as every error response carries them. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldIssue[];
  [extension: string]: unknown;
}

/** The problem body for the OpenAPI document. */
export const ProblemSchema = z
  .object({
    type: z.url(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string().openapi({ example: "NOT_FOUND" }),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string() })).optional(),
  })
  .openapi("Problem");

/**
 * Renders `error` as `application/problem+json` in the language the client asked for. Only the
 * translated catalogue texts and the error's params reach the body; messages and causes never do.
 */
export function renderProblem(c: Context<AppEnv>, error: ApiError): Response {
  const language = negotiateLanguage(c.req.header("Accept-Language"));
  const messages = messagesFor(language);
  const { detail, params, errors, retryAfter, headers, extensions } = error.options;
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  c.get("meter")?.problem(error.code);

  const body: ProblemDocument = {
    ...extensions,
    type: problemType(error.code),
    title: messages.titles[error.code],
    status: error.status,
    detail: formatMessage(messages.details[detail ?? error.code], params),
    instance: c.req.path,
    code: error.code,
    requestId,
    ...(errors ? { errors } : {}),
  };

  c.header("Vary", "Accept-Language", { append: true });
  // With its length told, compression sees a short problem is short without reading it.
  const bytes = new TextEncoder().encode(JSON.stringify(body)) as Uint8Array<ArrayBuffer>;
  return c.body(bytes, error.status, {
    ...headers,
    "Content-Length": String(bytes.byteLength),
    "Content-Type": PROBLEM_CONTENT_TYPE,
    "Content-Language": language,
    "Cache-Control": "no-store",
    "X-Request-Id": requestId,
    ...(retryAfter === undefined ? {} : { "Retry-After": String(Math.max(0, Math.ceil(retryAfter))) }),
  });
}
