import type { Logger } from "../lib/logger";
import { NO_TRACER, type SpanAttributes, type Tracer } from "../lib/tracing/tracer";
import { redactedStatement } from "./statement-text";

/** Statements one slow-query line names at most; a longer batch says how many it had. */
const MAX_LOGGED_STATEMENTS = 10;

/** Sees every HTTP query and batch a Database sends (see neon-config.ts). */
export interface QueryObserver {
  /** Sends one query or batch with `send`, given the headers to add to it (`traceparent`). */
  observe(body: BodyInit | null | undefined, send: (headers: Record<string, string> | undefined) => Promise<Response>): Promise<Response>;
}

export interface QueryObserverSettings {
  tracer?: Tracer;
  /** SLOW_QUERY_MS: a call that takes this long or longer is logged once. */
  slowQueryMs: number;
  /** The request's logger, for the slow-query line's ids. */
  log: () => Logger;
  /** The database's address, a span attribute (never the connection string). */
  serverAddress?: string;
}

/**
 * Records each HTTP query or batch: a client span (its `traceparent` goes with the call) and, when it
 * took SLOW_QUERY_MS or longer, one `slow query` warn line with its duration and statements, stripped
 * of literal values. Parameters travel apart from the statement and are never read.
 */
export class ObservedQueries implements QueryObserver {
  readonly #tracer: Tracer;
  readonly #settings: QueryObserverSettings;
  readonly #attributes: SpanAttributes;

  constructor(settings: QueryObserverSettings) {
    this.#tracer = settings.tracer ?? NO_TRACER;
    this.#settings = settings;
    this.#attributes = { "db.system.name": "postgresql", ...(settings.serverAddress ? { "server.address": settings.serverAddress } : {}) };
  }

  async observe(body: BodyInit | null | undefined, send: (headers: Record<string, string> | undefined) => Promise<Response>): Promise<Response> {
    // The driver posts `{"queries":[…]}` for a batch (one transaction), `{"query":…}` otherwise.
    const batch = typeof body === "string" && body.startsWith('{"queries"');
    const span = this.#tracer.startCall(batch ? "postgresql batch" : "postgresql query", this.#attributes);
    const started = Date.now();
    let failed = true;
    try {
      const response = await send(span.traceparent ? { traceparent: span.traceparent } : undefined);
      span.setAttribute("http.response.status_code", response.status);
      failed = !response.ok;
      return response;
    } finally {
      span.end(failed);
      const durationMs = Date.now() - started;
      if (durationMs >= this.#settings.slowQueryMs) this.#logSlow(body, durationMs, failed);
    }
  }

  #logSlow(body: BodyInit | null | undefined, durationMs: number, failed: boolean): void {
    const statements = statementsOf(body);
    this.#settings.log().warn("slow query", {
      durationMs,
      thresholdMs: this.#settings.slowQueryMs,
      failed,
      statements: statements.slice(0, MAX_LOGGED_STATEMENTS).map(redactedStatement),
      ...(statements.length > MAX_LOGGED_STATEMENTS ? { statementCount: statements.length } : {}),
    });
  }
}

/** The SQL texts of a query or batch body; its `params` are not looked at. */
function statementsOf(body: BodyInit | null | undefined): string[] {
  if (typeof body !== "string") return [];
  try {
    const parsed = JSON.parse(body) as { query?: unknown; queries?: Array<{ query?: unknown }> };
    const queries = Array.isArray(parsed.queries) ? parsed.queries.map((query) => query?.query) : [parsed.query];
    return queries.filter((query): query is string => typeof query === "string");
  } catch {
    return [];
  }
}
