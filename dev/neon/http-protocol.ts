/**
 * The request and error shapes of Neon's SQL-over-HTTP protocol, mirroring
 * neondatabase/neon proxy/src/serverless/{sql_over_http,http_util,error,json}.rs.
 */
import type { IncomingHttpHeaders } from "node:http";
import pg from "pg";
import type { Credentials } from "./pg-pools.ts";

/** Neon's default for both --sql-over-http-max-request-size-bytes and ...-max-response-size-bytes. */
export const NEON_MAX_BODY_BYTES = 10 * 1024 * 1024;

export class HttpError extends Error {
  readonly status: number;
  readonly database: pg.DatabaseError | undefined;

  constructor(status: number, message: string, database?: pg.DatabaseError) {
    super(message);
    this.status = status;
    this.database = database;
  }
}

/** Neon's error body: every key present, PostgreSQL's fields filled when the error came from it. */
export function errorBody(message: string, db?: pg.DatabaseError): Record<string, string | null> {
  return {
    message,
    code: db?.code ?? "",
    detail: db?.detail ?? null,
    hint: db?.hint ?? null,
    position: db?.position ?? null,
    internalPosition: db?.internalPosition ?? null,
    internalQuery: db?.internalQuery ?? null,
    severity: db?.severity ?? "",
    where: db?.where ?? null,
    table: db?.table ?? null,
    column: db?.column ?? null,
    schema: db?.schema ?? null,
    dataType: db?.dataType ?? null,
    constraint: db?.constraint ?? null,
    file: db?.file ?? null,
    line: db?.line ?? null,
    routine: db?.routine ?? null,
  };
}

export interface QueryData {
  query: string;
  params: (string | null)[];
  arrayMode: boolean | undefined;
}

export type Payload = { queries: QueryData[]; batch: boolean };

export interface HeaderOptions {
  rawTextOutput: boolean;
  arrayMode: boolean;
  isolationLevel: string | undefined;
  readOnly: boolean;
  deferrable: boolean;
}

const ISOLATION_LEVELS: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/**
 * User, password and database from Neon-Connection-String. Its host and query parameters are
 * ignored: the endpoint always connects to its configured target.
 */
export function parseConnectionString(
  headers: IncomingHttpHeaders,
  defaultUser: string | undefined,
): Credentials {
  const header = headers["neon-connection-string"];
  if (typeof header !== "string") throw new HttpError(400, "invalid header: neon-connection-string");
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    throw new HttpError(400, "invalid connection string: relative URL without a base");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new HttpError(400, "incorrect scheme");
  }
  if (!url.pathname.startsWith("/")) throw new HttpError(400, "missing database name");
  const user = decode(url.username, "invalid username");
  if (user === "") throw new HttpError(400, "missing username");
  const password = decode(url.password, "invalid password");
  const database = decode(url.pathname.slice(1).split("/")[0] ?? "", "invalid database name");
  return {
    // Neon requires a password; locally an empty one means trust auth, optionally as another role.
    user: password === "" && defaultUser ? defaultUser : user,
    password,
    // PostgreSQL itself defaults the database to the user's name.
    database: database || user,
  };
}

function decode(component: string, error: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new HttpError(400, error);
  }
}

/** Only the exact value "true" switches a flag on, as on Neon. */
export function parseHeaderOptions(headers: IncomingHttpHeaders): HeaderOptions {
  const isTrue = (name: string) => headers[name] === "true";
  const level = headers["neon-batch-isolation-level"];
  let isolationLevel: string | undefined;
  if (level !== undefined) {
    isolationLevel = typeof level === "string" ? ISOLATION_LEVELS[level] : undefined;
    if (!isolationLevel) throw new HttpError(400, "invalid isolation level");
  }
  return {
    rawTextOutput: isTrue("neon-raw-text-output"),
    arrayMode: isTrue("neon-array-mode"),
    isolationLevel,
    readOnly: isTrue("neon-batch-read-only"),
    deferrable: isTrue("neon-batch-deferrable"),
  };
}

/** Response headers Neon echoes back for a batch. */
export function batchResponseHeaders(headers: IncomingHttpHeaders, options: HeaderOptions) {
  const echoed: Record<string, string> = {};
  if (options.readOnly) echoed["Neon-Batch-Read-Only"] = "true";
  if (options.deferrable) echoed["Neon-Batch-Deferrable"] = "true";
  const level = headers["neon-batch-isolation-level"];
  if (typeof level === "string") echoed["Neon-Batch-Isolation-Level"] = level;
  return echoed;
}

const BODY_PARSE_ERROR = "could not parse the HTTP request body";

/** `{query, params?, arrayMode?}` or `{queries: [...]}`, like Neon's untagged serde enum. */
export function parsePayload(body: string): Payload {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, `${BODY_PARSE_ERROR}: ${(error as Error).message}`);
  }
  const single = toQueryData(json);
  if (single) return { queries: [single], batch: false };
  if (isObject(json) && Array.isArray(json.queries)) {
    const queries = json.queries.map(toQueryData);
    if (queries.every((query) => query !== undefined)) return { queries, batch: true };
  }
  throw new HttpError(400, `${BODY_PARSE_ERROR}: data did not match any variant of untagged enum Payload`);
}

function toQueryData(value: unknown): QueryData | undefined {
  if (!isObject(value) || typeof value.query !== "string") return undefined;
  const { params = [], arrayMode } = value;
  if (!Array.isArray(params)) return undefined;
  if (arrayMode !== undefined && arrayMode !== null && typeof arrayMode !== "boolean") return undefined;
  return { query: value.query, params: params.map(toPgText), arrayMode: arrayMode ?? undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON parameter → PostgreSQL text parameter (Neon's json_to_pg_text). */
function toPgText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return toPgArray(value);
  return JSON.stringify(value);
}

/** Arrays become array literals; their strings are quoted and escaped, objects become JSON strings. */
function toPgArray(value: unknown): string {
  if (value === null) return "NULL";
  if (Array.isArray(value)) return `{${value.map(toPgArray).join(",")}}`;
  if (isObject(value)) return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}
