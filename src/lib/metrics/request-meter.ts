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
    this.metrics.count("cache_lookups_total", labelText({ tier, result: hit ? "hit" : "miss" }));
  }

  rateLimit(group: string, allowed: boolean, failedOpen: boolean): void {
    if (!allowed) this.rateLimited = true;
    this.metrics.count("rate_limit_decisions_total", labelText({ group, decision: allowed ? "allowed" : "refused", failed_open: String(failedOpen) }));
  }

  /** An accepted or refused credential; `reason` is the refusal's, from a closed set. */
  authentication(method: AuthMethod, accepted: boolean, reason = ""): void {
    this.authMethod = method;
    this.metrics.count("auth_events_total", labelText({ method, outcome: accepted ? "accepted" : "refused", reason }));
  }

  /** A problem response with `code`. */
  problem(code: string): void {
    this.errorCode = code;
    this.metrics.count("http_errors_total", labelText({ code }));
  }
}

const OK = labelText({ outcome: "ok" });
const ERROR = labelText({ outcome: "error" });
