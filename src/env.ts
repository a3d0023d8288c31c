import { z } from "zod";
import { RateLimitsSettingSchema } from "./lib/rate-limit-settings";
import { IpRangeList, NO_RANGES, parseIpRange, type IpRange } from "./lib/ip-ranges";
import { AccessTokenLifetimeSchema, SigningKeySetSchema } from "./lib/tokens";

const commaList = z
  .string()
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean));

/** Comma-separated CIDRs or single addresses, parsed once per isolate; one malformed item fails the setting. */
const ipRangeList = commaList.transform((items, context) => {
  const ranges: IpRange[] = [];
  for (const item of items) {
    const range = parseIpRange(item);
    if (!range) {
      context.addIssue({ code: "custom", message: "must be IPv4 or IPv6 CIDRs (or addresses), comma-separated" });
      return z.NEVER;
    }
    ranges.push(range);
  }
  return new IpRangeList(ranges);
});

/** An optional setting; an empty value (common in dashboards and env files) counts as unset. */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === "" ? undefined : value), schema.optional());
}

/**
 * The JSON body limit's ceiling. An isolate has 128 MB for every request it serves at once, and a
 * parsed JSON body takes several times its size; large uploads stream to R2 on routes of their own.
 */
export const MAX_JSON_BODY_BYTES = 2 * 1024 * 1024;

/** The longest a rotated API key's previous secret may keep working: 7 days. */
export const API_KEY_MAX_ROTATION_OVERLAP_SECONDS = 7 * 86_400;

/** Settings that point the Neon driver at the local stack; they also turn off TLS on the WebSocket. */
const LOCAL_STACK_SETTINGS = ["NEON_HTTP_ENDPOINT", "NEON_WS_PROXY"] as const;
/** The APP_ENVs that run on a developer's machine or in the tests, never deployed. */
export const LOCAL_ENVIRONMENTS: ReadonlySet<string> = new Set(["development", "test"]);

/** Where mail goes: the `mail_outbox` table (development and test only) or the HTTP provider. */
export const MAIL_TRANSPORTS = ["outbox", "provider"] as const;
/** The provider's settings, required whenever mail goes to the provider. */
const MAIL_PROVIDER_SETTINGS = ["MAIL_API_URL", "MAIL_API_KEY", "MAIL_FROM"] as const;
/** `ada@example.com` or `Example <ada@example.com>`, on one line: a header value, so no CR or LF. */
const MAIL_FROM = /^(?:[^<>\r\n]{1,100} <[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/** A header name as HTTP allows it (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_OTLP_HEADERS = 20;

/**
 * OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry spec writes it: `key=value` pairs, comma-separated,
 * values URL-encoded. One malformed pair fails the setting (its value is never echoed).
 */
const otlpHeaders = commaList.transform((pairs, context) => {
  const headers: Record<string, string> = {};
  for (const pair of pairs.slice(0, MAX_OTLP_HEADERS + 1)) {
    const separator = pair.indexOf("=");
    const name = pair.slice(0, separator).trim();
    let value: string | undefined;
    try {
      value = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      value = undefined;
    }
    if (separator < 1 || !HEADER_NAME.test(name) || value === undefined || /[\r\n]/.test(value) || pairs.length > MAX_OTLP_HEADERS) {
      context.addIssue({ code: "custom", message: `must be up to ${MAX_OTLP_HEADERS} key=value pairs, comma-separated, values URL-encoded` });
      return z.NEVER;
    }
    headers[name] = value;
  }
  return headers;
});

/** A Sentry DSN, `https://<public key>@<host>/<project id>`. */
const sentryDsn = z.url({ protocol: /^https?$/ }).refine((value) => {
  const url = new URL(value);
  return /^\w+$/.test(url.username) && /^\/(?:[^/]+\/)*\d+$/.test(url.pathname);
}, "must be a Sentry DSN: https://<public key>@<host>/<project id>");

/** Settings that send data to a collector: https outside development and test. */
const TELEMETRY_URL_SETTINGS = ["OTEL_EXPORTER_OTLP_ENDPOINT", "SENTRY_DSN"] as const;

/** The sign-in providers; each is on when its client id and secret are set (both or neither). */
export const OAUTH_PROVIDER_SECRETS = {
  google: ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"],
  github: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"],
} as const;
/** Every provider endpoint: https outside development and test, so tests (and GitHub Enterprise) can point them elsewhere. */
const OAUTH_ENDPOINT_SETTINGS = [
  "GOOGLE_AUTHORIZATION_URL",
  "GOOGLE_TOKEN_URL",
  "GOOGLE_JWKS_URL",
  "GITHUB_AUTHORIZATION_URL",
  "GITHUB_TOKEN_URL",
  "GITHUB_API_URL",
] as const;
const httpUrl = z.url({ protocol: /^https?$/ });

/** Comma-separated origins (`https://app.example.com`), each kept as its canonical origin. */
const originList = commaList.transform((items, context) => {
  const origins: string[] = [];
  for (const item of items) {
    const origin = URL.canParse(item) ? new URL(item).origin : "null";
    if (origin === "null" || origin !== item.replace(/\/$/, "")) {
      context.addIssue({ code: "custom", message: "must be origins (scheme, host and port only), comma-separated" });
      return z.NEVER;
    }
    origins.push(origin);
  }
  return origins;
});

/** Vars and secrets the Worker needs, validated once per isolate. */
export const configSchema = z
  .object({
    APP_ENV: z.enum(["development", "test", "staging", "production"]),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    CORS_ORIGINS: commaList.default([]),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    /** Local stack only: where the Neon driver sends SQL over HTTP instead of the database host. */
    NEON_HTTP_ENDPOINT: optional(z.url()),
    /** Local stack only: the WebSocket proxy address for the Neon Pool, as host:port/path. */
    NEON_WS_PROXY: optional(z.string()),
    UPSTASH_REDIS_REST_URL: optional(z.url()),
    UPSTASH_REDIS_REST_TOKEN: optional(z.string()),
    /**
     * Put before every cache key in Redis, so deployments (or test runs) sharing one Redis never
     * read each other's values. Letters, digits and `_ - : .`, ending in `:` when set.
     */
    REDIS_KEY_PREFIX: z
      .string()
      .max(64)
      .regex(/^(?:[A-Za-z0-9_.:-]*:)?$/, "must be letters, digits and _ - : . ending in :")
      .default(""),
    MAX_BODY_BYTES: z.coerce.number().int().positive().max(MAX_JSON_BODY_BYTES).default(1024 * 1024),
    /** Bound on each database query, batch and connection, and on an interactive transaction as a whole. */
    DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2000),
    /** The JWT signing key set (JSON, `{ "keys": [current, previous…] }`), made by `npm run keys:generate`. */
    JWT_SIGNING_KEYS: SigningKeySetSchema,
    /** `iss` of our access tokens: this API's origin. */
    AUTH_ISSUER: z.url(),
    /** `aud` of our access tokens. */
    AUTH_AUDIENCE: z.string().min(1).default("edge-backend"),
    ACCESS_TOKEN_TTL_SECONDS: AccessTokenLifetimeSchema.default(900),
    /** A session's absolute lifetime: no refresh extends it. */
    SESSION_ABSOLUTE_TTL_SECONDS: z.coerce.number().int().min(3600).max(365 * 86400).default(30 * 86400),
    /** A session unused for this long ends. */
    SESSION_IDLE_TTL_SECONDS: z.coerce.number().int().min(300).max(90 * 86400).default(7 * 86400),
    /** How long a rotated refresh token still yields its successor, for concurrent refreshes by one client. */
    REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
    /**
     * How long an isolate trusts a session it checked. Revocation reaches every isolate within this
     * bound (plus clock tolerance), without a database round trip per request; at most 55 s, so a
     * revoked session's access tokens stop within a minute.
     */
    SESSION_CHECK_TTL_SECONDS: z.coerce.number().int().min(0).max(55).default(30),
    /** Failed logins an account may have per window before logins to it are refused (429). */
    LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(3).max(1000).default(10),
    /** Failed logins a client (IPv4 address, IPv6 /64) may have per window, over all accounts. */
    LOGIN_FAILURES_PER_CLIENT: z.coerce.number().int().min(3).max(100_000).default(100),
    LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(15 * 60),
    /** Request-rate limits per route group (JSON, see src/lib/rate-limit-settings.ts); unset: the defaults. */
    RATE_LIMITS: RateLimitsSettingSchema,
    /**
     * How long an API key's previous secret keeps working after a rotation that names no overlap of
     * its own: time to deploy the new one. 0 ends it at once; at most 7 days.
     */
    API_KEY_ROTATION_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(API_KEY_MAX_ROTATION_OVERLAP_SECONDS).default(86_400),
    /** Clients refused everywhere but /health, whatever else says (see IP rules in the README). */
    IP_DENY: ipRangeList.default(NO_RANGES),
    /** When set, only these clients (and those the admins' allow rules name) get past /health. */
    IP_ALLOW: ipRangeList.default(NO_RANGES),
    /** How long an isolate applies the admins' IP rules it read before reading them again. */
    IP_RULES_TTL_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
    /** The web app's origin: links in mails point there (`/verify-email?token=…`, `/reset-password?token=…`). */
    APP_URL: z.url(),
    /** `outbox` or `provider`; by default the outbox in development and test, the provider elsewhere. */
    MAIL_TRANSPORT: optional(z.enum(MAIL_TRANSPORTS)),
    /** The provider's send endpoint: a JSON POST with a Bearer key (Resend's `/emails`, or alike). */
    MAIL_API_URL: optional(z.url({ protocol: /^https?$/ })),
    MAIL_API_KEY: optional(z.string().min(1)),
    /** The sender, e.g. `Example <no-reply@example.com>`. */
    MAIL_FROM: optional(z.string().regex(MAIL_FROM)),
    /** `on`: a span for each request and each outbound call, logged, and exported when an OTLP endpoint is set; `off`: none built. */
    TRACING: z.enum(["on", "off"]).default("on"),
    /** An OTLP/HTTP collector's base URL (Jaeger, Grafana Tempo, the Collector): spans go to `<url>/v1/traces` as JSON. */
    OTEL_EXPORTER_OTLP_ENDPOINT: optional(z.url({ protocol: /^https?$/ })),
    /** Headers for the collector (a secret): `key=value,key2=value2`, values URL-encoded. */
    OTEL_EXPORTER_OTLP_HEADERS: optional(otlpHeaders),
    /** Where unexpected errors go besides the log (a secret): a Sentry DSN. */
    SENTRY_DSN: optional(sentryDsn),
    /** Queries slower than this many milliseconds are logged once, with their statement and never their parameters. */
    SLOW_QUERY_MS: z.coerce.number().int().min(1).max(60_000).default(200),
    /** `false` turns the metrics off (both sinks): for the bench's comparison, or an emergency. */
    METRICS_ENABLED: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
    /** How often an isolate flushes its counts to the MetricsAggregator; 0 flushes after every request (tests). */
    METRICS_FLUSH_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
    /** The bearer token `GET /metrics` requires; required in staging and production, without it the endpoint refuses everyone. */
    METRICS_TOKEN: optional(z.string().min(32).max(256)),
    /** Sign in with Google: its endpoints (production's by default) and the app's credentials (secrets). */
    GOOGLE_AUTHORIZATION_URL: httpUrl.default("https://accounts.google.com/o/oauth2/v2/auth"),
    GOOGLE_TOKEN_URL: httpUrl.default("https://oauth2.googleapis.com/token"),
    GOOGLE_JWKS_URL: httpUrl.default("https://www.googleapis.com/oauth2/v3/certs"),
    /** `iss` of Google's ID tokens. */
    GOOGLE_ISSUER: z.string().min(1).default("https://accounts.google.com"),
    GOOGLE_CLIENT_ID: optional(z.string().min(1).max(256)),
    GOOGLE_CLIENT_SECRET: optional(z.string().min(1).max(256)),
    /** Sign in with GitHub: github.com by default; a GitHub Enterprise server's own URLs otherwise. */
    GITHUB_AUTHORIZATION_URL: httpUrl.default("https://github.com/login/oauth/authorize"),
    GITHUB_TOKEN_URL: httpUrl.default("https://github.com/login/oauth/access_token"),
    /** The REST API's base (`/user`, `/user/emails` below it): `https://HOST/api/v3` on GitHub Enterprise. */
    GITHUB_API_URL: httpUrl.default("https://api.github.com"),
    GITHUB_CLIENT_ID: optional(z.string().min(1).max(256)),
    GITHUB_CLIENT_SECRET: optional(z.string().min(1).max(256)),
    /** Origins besides APP_URL's that a sign-in may return to (`returnTo`); relative paths go to APP_URL. */
    OAUTH_RETURN_ORIGINS: originList.default([]),
    /** Bound on each call to a provider (token, keys, user); past it the callback answers 502. */
    OAUTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
    /**
     * The HMAC-SHA256 key of attachments' download URLs (src/lib/signed-urls.ts): random, 32 characters
     * at least (e.g. `openssl rand -base64 32`). Changing it ends every URL handed out.
     */
    ATTACHMENT_URL_SECRET: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 32)").max(512),
    /**
     * The key webhook signing secrets are sealed under in the database (src/lib/secret-box.ts): random,
     * 32 characters at least. Changing it makes every stored endpoint and source secret unreadable.
     */
    WEBHOOK_SECRETS_KEY: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 32)").max(512),
    /** The DNS-over-HTTPS resolver (JSON API) outbound webhooks' hosts are resolved through before each attempt, to refuse private addresses. */
    WEBHOOK_DNS_RESOLVER_URL: httpUrl.default("https://cloudflare-dns.com/dns-query"),
  })
  .refine((env) => Boolean(env.UPSTASH_REDIS_REST_URL) === Boolean(env.UPSTASH_REDIS_REST_TOKEN), {
    message: "set both or neither",
    path: ["UPSTASH_REDIS_REST_TOKEN"],
  })
  .superRefine((env, context) => {
    for (const [id, secret] of Object.values(OAUTH_PROVIDER_SECRETS)) {
      if (Boolean(env[id]) !== Boolean(env[secret])) context.addIssue({ code: "custom", message: "set both or neither", path: [env[id] ? secret : id] });
    }
    if (mailTransport(env) === "provider") {
      for (const setting of MAIL_PROVIDER_SETTINGS) {
        if (!env[setting]) context.addIssue({ code: "custom", message: "required when mail goes to the provider", path: [setting] });
      }
    }
    if (LOCAL_ENVIRONMENTS.has(env.APP_ENV)) return;
    if (!env.METRICS_TOKEN) context.addIssue({ code: "custom", message: "required in staging and production", path: ["METRICS_TOKEN"] });
    for (const setting of LOCAL_STACK_SETTINGS) {
      if (env[setting]) context.addIssue({ code: "custom", message: "allowed only in development and test", path: [setting] });
    }
    if (env.MAIL_TRANSPORT === "outbox") context.addIssue({ code: "custom", message: "allowed only in development and test", path: ["MAIL_TRANSPORT"] });
    if (env.MAIL_API_URL?.startsWith("http:")) context.addIssue({ code: "custom", message: "must be https outside development and test", path: ["MAIL_API_URL"] });
    for (const setting of TELEMETRY_URL_SETTINGS) {
      if (env[setting]?.startsWith("http:")) context.addIssue({ code: "custom", message: "must be https outside development and test", path: [setting] });
    }
    for (const setting of OAUTH_ENDPOINT_SETTINGS) {
      if (env[setting].startsWith("http:")) context.addIssue({ code: "custom", message: "must be https outside development and test", path: [setting] });
    }
    if (env.WEBHOOK_DNS_RESOLVER_URL.startsWith("http:")) context.addIssue({ code: "custom", message: "must be https outside development and test", path: ["WEBHOOK_DNS_RESOLVER_URL"] });
    if (env.OAUTH_RETURN_ORIGINS.some((origin) => origin.startsWith("http:"))) {
      context.addIssue({ code: "custom", message: "must be https outside development and test", path: ["OAUTH_RETURN_ORIGINS"] });
    }
  })
  .transform((env) => ({ ...env, MAIL_TRANSPORT: mailTransport(env) }));

/** The outbox in development and test, the provider elsewhere, unless MAIL_TRANSPORT says otherwise. */
function mailTransport(env: { APP_ENV: string; MAIL_TRANSPORT?: (typeof MAIL_TRANSPORTS)[number] }): (typeof MAIL_TRANSPORTS)[number] {
  return env.MAIL_TRANSPORT ?? (LOCAL_ENVIRONMENTS.has(env.APP_ENV) ? "outbox" : "provider");
}

export type Config = z.infer<typeof configSchema>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; settings: string[] };

let cached: { source: unknown; result: ConfigResult } | undefined;

/**
 * Parses the Worker's environment. The result is cached per isolate and per `env` object,
 * so tests that pass a different `env` get it parsed afresh.
 */
export function loadConfig(env: unknown): ConfigResult {
  if (cached && cached.source === env) return cached.result;
  const parsed = configSchema.safeParse(env);
  const result: ConfigResult = parsed.success
    ? { ok: true, config: parsed.data }
    : { ok: false, settings: [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))] };
  cached = { source: env, result };
  return result;
}
