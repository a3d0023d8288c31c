import { DATABASE_DURATION_BUCKETS } from "./definitions";
import { labelText, type IsolateMetrics } from "./isolate-metrics";

export type CacheTierLabel = "isolate" | "redis";
export type AuthMethod = "access_token" | "api_key" | "password" | "refresh_token";

/**
 * One request's view of the isolate's metrics: what the request path reports (database calls, cache
 * reads, rate-limit decisions, authentication, problems) goes to the isolate's counters at once, and
 * the few sums the request's Analytics Engine data point carries are kept here.
 */
export class RequestMeter {
  databaseCalls = 0;
  databaseSeconds = 0;
  cacheHits = 0;
  cacheMisses = 0;
  rateLimited = false;
  errorCode = "";
  authMethod = "";

  constructor(private readonly metrics: IsolateMetrics) {}

  /** A call that reached the database: a query, batch, transaction or ping, and how long it took. */
  databaseCall(seconds: number, ok: boolean): void {
    this.databaseCalls += 1;
    this.databaseSeconds += seconds;
    this.metrics.count("db_calls_total", ok ? OK : ERROR);
    this.metrics.observe("db_call_duration_seconds", "", seconds, DATABASE_DURATION_BUCKETS);
  }

  cacheLookup(tier: CacheTierLabel, hit: boolean): void {
    if (hit) this.cacheHits += 1;
    else this.cacheMisses += 1;
    this.metrics.count("cache_lookups_total", CACHE_LABELS[tier][hit ? 0 : 1]);
  }

  rateLimit(group: string, allowed: boolean, failedOpen: boolean): void {
    if (!allowed) this.rateLimited = true;
    const decision = allowed ? "allowed" : "refused";
    this.metrics.count("rate_limit_decisions_total", labelsOf(group, decision, String(failedOpen), () => labelText({ group, decision, failed_open: String(failedOpen) })));
  }

  /** An accepted or refused credential; `reason` is the refusal's, from a closed set. */
  authentication(method: AuthMethod, accepted: boolean, reason = ""): void {
    this.authMethod = method;
    const outcome = accepted ? "accepted" : "refused";
    this.metrics.count("auth_events_total", labelsOf(method, outcome, reason, () => labelText({ method, outcome, reason })));
  }

  /** A problem response with `code`. */
  problem(code: string): void {
    this.errorCode = code;
    this.metrics.count("http_errors_total", labelsOf("code", code, "", () => labelText({ code })));
  }
}

const OK = labelText({ outcome: "ok" });
const ERROR = labelText({ outcome: "error" });
const CACHE_LABELS = {
  isolate: [labelText({ tier: "isolate", result: "hit" }), labelText({ tier: "isolate", result: "miss" })],
  redis: [labelText({ tier: "redis", result: "hit" }), labelText({ tier: "redis", result: "miss" })],
} as const;

/**
 * Label texts made once per isolate and reused, keyed by their values in nested maps, so counting
 * builds no string (the values are literals, whose hashes the engine keeps). A pure memo of closed
 * sets; bounded all the same.
 */
const LABEL_TEXTS = new Map<string, Map<string, Map<string, string>>>();
const MAX_LABEL_TEXTS = 1024;
let labelTexts = 0;

function labelsOf(a: string, b: string, c: string, make: () => string): string {
  let byB = LABEL_TEXTS.get(a);
  if (!byB) LABEL_TEXTS.set(a, (byB = new Map()));
  let byC = byB.get(b);
  if (!byC) byB.set(b, (byC = new Map()));
  let text = byC.get(c);
  if (text === undefined) {
    text = make();
    if (labelTexts < MAX_LABEL_TEXTS) {
      byC.set(c, text);
      labelTexts += 1;
    }
  }
  return text;
}
