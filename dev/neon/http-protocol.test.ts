import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import {
  batchResponseHeaders,
  HttpError,
  parseConnectionString,
  parseHeaderOptions,
  parsePayload,
} from "./http-protocol.ts";

/** The HttpError thrown by `run`; fails the test when nothing (or something else) is thrown. */
function httpError(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error("expected an HttpError");
}

const connection = (value: string): IncomingHttpHeaders => ({ "neon-connection-string": value });

describe("parseConnectionString", () => {
  it("takes user, password and database, and ignores host, port and query", () => {
    const credentials = parseConnectionString(
      connection("postgres://alice:s3cret@ep-cool-1.eu-central-1.aws.neon.tech:5432/shop?sslmode=require"),
      undefined,
    );
    expect(credentials).toEqual({ user: "alice", password: "s3cret", database: "shop" });
  });

  it("accepts the postgresql: scheme", () => {
    expect(parseConnectionString(connection("postgresql://bob:pw@h/db"), undefined).user).toBe("bob");
  });

  it("percent-decodes user, password and database", () => {
    expect(parseConnectionString(connection("postgres://al%20ice:p%40ss%2Fw%3A@h/my%20db"), undefined)).toEqual({
      user: "al ice",
      password: "p@ss/w:",
      database: "my db",
    });
  });

  it("takes only the first path segment as the database", () => {
    expect(parseConnectionString(connection("postgres://u:p@h/db/extra"), undefined).database).toBe("db");
  });

  it("defaults the database to the user's name", () => {
    expect(parseConnectionString(connection("postgres://alice:pw@h/"), undefined).database).toBe("alice");
  });

  it("uses the default user for an empty password, and the URL's user otherwise", () => {
    expect(parseConnectionString(connection("postgres://alice@h/db"), "postgres")).toEqual({
      user: "postgres",
      password: "",
      database: "db",
    });
    expect(parseConnectionString(connection("postgres://alice@h/db"), undefined).user).toBe("alice");
    expect(parseConnectionString(connection("postgres://alice:pw@h/db"), "postgres").user).toBe("alice");
  });

  it.each([
    ["a missing header", {}, "invalid header: neon-connection-string"],
    ["a repeated header", { "neon-connection-string": ["postgres://u:p@h/a", "postgres://u:p@h/b"] }, "invalid header"],
    ["text that is not a URL", connection("not a url"), "invalid connection string"],
    ["another scheme", connection("mysql://u:p@h/db"), "incorrect scheme"],
    ["no database path", connection("postgres://u:p@h"), "missing database name"],
    ["no user", connection("postgres://:p@h/db"), "missing username"],
    ["a bad escape in the user", connection("postgres://us%ZZer:p@h/db"), "invalid username"],
    ["a bad escape in the password", connection("postgres://u:p%ZZ@h/db"), "invalid password"],
    ["a bad escape in the database", connection("postgres://u:p@h/d%ZZ"), "invalid database name"],
  ] as [string, IncomingHttpHeaders, string][])("answers 400 for %s", (_, headers, message) => {
    const error = httpError(() => parseConnectionString(headers, undefined));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });
});

describe("parseHeaderOptions", () => {
  it("switches everything off without headers", () => {
    expect(parseHeaderOptions({})).toEqual({
      rawTextOutput: false,
      arrayMode: false,
      isolationLevel: undefined,
      readOnly: false,
      deferrable: false,
    });
  });

  it("switches each flag on with the exact value true", () => {
    expect(
      parseHeaderOptions({
        "neon-raw-text-output": "true",
        "neon-array-mode": "true",
        "neon-batch-read-only": "true",
        "neon-batch-deferrable": "true",
      }),
    ).toMatchObject({ rawTextOutput: true, arrayMode: true, readOnly: true, deferrable: true });
  });

  it.each(["True", "TRUE", "1", "yes", ""])("leaves a flag off for %j", (value) => {
    expect(parseHeaderOptions({ "neon-array-mode": value, "neon-batch-read-only": value })).toMatchObject({
      arrayMode: false,
      readOnly: false,
    });
  });

  it.each([
    ["ReadUncommitted", "READ UNCOMMITTED"],
    ["ReadCommitted", "READ COMMITTED"],
    ["RepeatableRead", "REPEATABLE READ"],
    ["Serializable", "SERIALIZABLE"],
  ])("maps isolation level %s to %s", (header, sql) => {
    expect(parseHeaderOptions({ "neon-batch-isolation-level": header }).isolationLevel).toBe(sql);
  });

  it.each([["serializable"], ["Snapshot"], [""], [["Serializable", "Serializable"]]])(
    "answers 400 for isolation level %j",
    (value) => {
      const error = httpError(() => parseHeaderOptions({ "neon-batch-isolation-level": value }));
      expect(error.status).toBe(400);
      expect(error.message).toBe("invalid isolation level");
    },
  );

  it("echoes the batch options Neon echoes", () => {
    const headers = { "neon-batch-isolation-level": "Serializable", "neon-batch-read-only": "true" };
    expect(batchResponseHeaders(headers, parseHeaderOptions(headers))).toEqual({
      "Neon-Batch-Read-Only": "true",
      "Neon-Batch-Isolation-Level": "Serializable",
    });
  });
});

describe("parsePayload", () => {
  it("reads a single query, params defaulting to none", () => {
    expect(parsePayload('{"query":"SELECT 1"}')).toEqual({
      queries: [{ query: "SELECT 1", params: [], arrayMode: undefined }],
      batch: false,
    });
  });

  it("keeps arrayMode, and treats null as unset", () => {
    expect(parsePayload('{"query":"q","arrayMode":true}').queries[0]!.arrayMode).toBe(true);
    expect(parsePayload('{"query":"q","arrayMode":null}').queries[0]!.arrayMode).toBeUndefined();
  });

  it("reads a batch of queries", () => {
    const payload = parsePayload('{"queries":[{"query":"a","params":["1"]},{"query":"b","arrayMode":false}]}');
    expect(payload).toEqual({
      queries: [
        { query: "a", params: ["1"], arrayMode: undefined },
        { query: "b", params: [], arrayMode: false },
      ],
      batch: true,
    });
  });

  it("turns JSON parameters into PostgreSQL text", () => {
    const body = JSON.stringify({ query: "q", params: ["text", 42, 1.5, true, null, { a: [1] }] });
    expect(parsePayload(body).queries[0]!.params).toEqual(["text", "42", "1.5", "true", null, '{"a":[1]}']);
  });

  it("turns array parameters into array literals, quoting strings and objects", () => {
    const body = JSON.stringify({ query: "q", params: [[1, null, 2], ['a"b', "c,d"], [{ k: 1 }], [[1, 2], [3, null]], []] });
    expect(parsePayload(body).queries[0]!.params).toEqual([
      "{1,NULL,2}",
      '{"a\\"b","c,d"}',
      '{"{\\"k\\":1}"}',
      "{{1,2},{3,NULL}}",
      "{}",
    ]);
  });

  it.each([
    ["malformed JSON", '{"query":'],
    ["params that are not an array", '{"query":"q","params":"1"}'],
    ["null params", '{"query":"q","params":null}'],
    ["a non-boolean arrayMode", '{"query":"q","arrayMode":"true"}'],
    ["a query that is not a string", '{"query":1}'],
    ["a batch with one bad query", '{"queries":[{"query":"a"},{"params":[]}]}'],
    ["queries that are not an array", '{"queries":{"query":"a"}}'],
    ["a JSON array", '[{"query":"a"}]'],
    ["JSON null", "null"],
  ])("answers 400 for %s", (_, body) => {
    const error = httpError(() => parsePayload(body));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^could not parse the HTTP request body: /);
  });
});
