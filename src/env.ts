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
    /**
     * The HMAC-SHA256 key of attachments' download URLs (src/lib/signed-urls.ts): random, 32 characters
     * at least (e.g. `openssl rand -base64 32`). Changing it ends every URL handed out.
     */
    ATTACHMENT_URL_SECRET: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 32)").max(512),
  })
  .refine((env) => Boolean(env.UPSTASH_REDIS_REST_URL) === Boolean(env.UPSTASH_REDIS_REST_TOKEN), {
    message: "set both or neither",
    path: ["UPSTASH_REDIS_REST_TOKEN"],
  })
  .superRefine((env, context) => {
    if (mailTransport(env) === "provider") {
      for (const setting of MAIL_PROVIDER_SETTINGS) {
        if (!env[setting]) context.addIssue({ code: "custom", message: "required when mail goes to the provider", path: [setting] });
      }
    }
    if (LOCAL_ENVIRONMENTS.has(env.APP_ENV)) return;
    for (const setting of LOCAL_STACK_SETTINGS) {
      if (env[setting]) context.addIssue({ code: "custom", message: "allowed only in development and test", path: [setting] });
    }
    if (env.MAIL_TRANSPORT === "outbox") context.addIssue({ code: "custom", message: "allowed only in development and test", path: ["MAIL_TRANSPORT"] });
    if (env.MAIL_API_URL?.startsWith("http:")) context.addIssue({ code: "custom", message: "must be https outside development and test", path: ["MAIL_API_URL"] });
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
