import { CloudflareClient, Scope, createTransport } from "@sentry/cloudflare";
import { sanitizeMessage } from "./log-redaction";
import type { Logger } from "./logger";

/** How long Sentry gets to take one event; the report runs after the response, never before it. */
export const SENTRY_TIMEOUT_MS = 2000;

/** What one unexpected error is reported with, besides the error itself. */
export interface ErrorReport {
  /** The log line's fingerprint, so Sentry groups as the logs do. */
  fingerprint: string;
  requestId: string;
  traceId: string;
  spanId: string;
  /** The route template, never the path. */
  route: string | null;
  method: string;
  /** APP_ENV. */
  environment: string;
  /** The deployed version's id, when the binding is there. */
  release?: string;
}

type ClientOptions = ConstructorParameters<typeof CloudflareClient>[0];
type StackParser = ClientOptions["stackParser"];
type SentryEvent = Parameters<NonNullable<ClientOptions["beforeSend"]>>[0];

/** A V8 frame: `at fn (file:line:column)` or `at file:line:column`. */
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;
const MAX_FRAMES = 50;

/** V8 stack lines as Sentry frames, outermost call first as Sentry wants them. */
const parseStack: StackParser = (stack, skipFirstLines = 0) =>
  stack
    .split("\n")
    .slice(skipFirstLines)
    .flatMap((line) => {
      const match = FRAME.exec(line);
      if (!match) return [];
      return [{ function: match[1] ?? "?", filename: match[2], lineno: Number(match[3]), colno: Number(match[4]), in_app: !match[2]!.includes("node_modules") }];
    })
    .slice(0, MAX_FRAMES)
    .reverse();

/**
 * The only module that talks to Sentry (through @sentry/cloudflare's client, made for this one event:
 * errors are rare, and no per-request work is added to requests that do not fail). Sends `error` as
 * one event grouped by the fingerprint, with value-free messages, no request data and no user. Never
 * rejects: a Sentry that is down or slow costs a warn line.
 */
export async function reportToSentry(dsn: string, error: unknown, report: ErrorReport, log: Logger): Promise<void> {
  let failure: string | undefined;
  const client = new CloudflareClient({
    dsn,
    environment: report.environment,
    ...(report.release ? { release: report.release } : {}),
    integrations: [],
    stackParser: parseStack,
    beforeSend: scrub,
    transport: (options) =>
      createTransport(options, async (request) => {
        try {
          const response = await fetch(options.url, { method: "POST", body: request.body, signal: AbortSignal.timeout(SENTRY_TIMEOUT_MS) });
          await response.body?.cancel();
          if (!response.ok) failure = `status ${response.status}`;
          return { statusCode: response.status, headers: { "x-sentry-rate-limits": response.headers.get("X-Sentry-Rate-Limits"), "retry-after": response.headers.get("Retry-After") } };
        } catch (sendError) {
          failure = sendError instanceof Error && sendError.name === "TimeoutError" ? "timeout" : "unreachable";
          throw sendError;
        }
      }),
  });
  client.init();
  const scope = new Scope();
  scope.setClient(client);
  scope.setFingerprint([report.fingerprint]);
  scope.setTags({ route: report.route ?? "unmatched", method: report.method, requestId: report.requestId });
  scope.setContext("trace", { trace_id: report.traceId, span_id: report.spanId });
  scope.captureException(error);
  const flushed = await client.flush(SENTRY_TIMEOUT_MS);
  if (!flushed || failure) log.warn("error report not sent", { reason: failure ?? "timeout", fingerprint: report.fingerprint });
}

/** Messages as the logs have them (no values); nothing about the request or its user. */
function scrub(event: SentryEvent): SentryEvent {
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = sanitizeMessage(exception.value);
  }
  if (event.message) event.message = sanitizeMessage(event.message);
  delete event.request;
  delete event.user;
  delete event.server_name;
  return event;
}
