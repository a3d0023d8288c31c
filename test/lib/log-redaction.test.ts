import { describe, expect, it } from "vitest";
import { describeError, loggedPath, REDACTED, sanitizeMessage } from "../../src/lib/log-redaction";

const TOKEN = "rt_Q2xhc3NpZmllZCBzZWNyZXQgdG9rZW4gdmFsdWUgMDEyMzQ1Njc4OQ";

describe("loggedPath", () => {
  it("replaces the values of secret route parameters by their names", () => {
    expect(loggedPath(`/v1/files/fil_123/download/${TOKEN}`, "/v1/files/:id/download/:token")).toBe("/v1/files/fil_123/download/:token");
    expect(loggedPath("/v1/auth/oauth/github/callback/abc", "/v1/auth/oauth/:provider/callback/:code")).toBe("/v1/auth/oauth/github/callback/:code");
  });

  it("keeps ids and ordinary segments", () => {
    expect(loggedPath("/v1/projects/prj_01hzy3k5x9q2w8e7r6t5y4u3i2/tasks", "/v1/projects/:id/tasks")).toBe("/v1/projects/prj_01hzy3k5x9q2w8e7r6t5y4u3i2/tasks");
  });

  it("redacts credential-like segments when no route matched", () => {
    expect(loggedPath(`/v1/reset/${TOKEN}`)).toBe(`/v1/reset/${REDACTED}`);
    expect(loggedPath(`/v1/reset/${TOKEN}`, null)).toBe(`/v1/reset/${REDACTED}`);
  });

  it("redacts a credential-length segment even when it is the whole path, and a secret parameter of any length", () => {
    expect(loggedPath(`/${"a".repeat(40)}`)).toBe(`/${REDACTED}`);
    expect(loggedPath(`/${"a".repeat(39)}`)).toBe(`/${"a".repeat(39)}`);
    expect(loggedPath("/v1/r/abc", "/v1/r/:token")).toBe("/v1/r/:token");
  });
});

describe("sanitizeMessage", () => {
  it("keeps only the command names of an Upstash error", () => {
    const message = 'WRONGTYPE Operation against a key holding the wrong kind of value, command was: ["hget","user:42:session","refresh-secret"]';
    const sanitized = sanitizeMessage(message);
    expect(sanitized).toContain("command was: [HGET]");
    expect(sanitized).not.toMatch(/user:42|refresh-secret/);
  });

  it("keeps the command names of a failed pipeline", () => {
    expect(sanitizeMessage('ERR boom, command was: [["set","k","v"],["expire","k",10]]')).toContain("command was: [SET, EXPIRE]");
  });

  it("drops the parameters drizzle appends to a failed query", () => {
    const sanitized = sanitizeMessage('Failed query: insert into "users" ("email") values ($1)\nparams: alice@example.com');
    expect(sanitized).not.toContain("alice@example.com");
    expect(sanitized).toContain("insert into");
  });

  it("drops quoted input that PostgreSQL echoes", () => {
    expect(sanitizeMessage('invalid input syntax for type uuid: "hunter2"')).not.toContain("hunter2");
  });
});

describe("describeError", () => {
  it("follows causes and the Neon driver's sourceError, stripped of values", () => {
    const source = new Error('connect failed for "secret-host"');
    const wrapped = Object.assign(new Error("Error connecting to database"), { sourceError: source });
    const outer = new Error("Failed query: select 1\nparams: s3cr3t", { cause: wrapped });
    const described = JSON.stringify(describeError(outer));
    expect(described).toContain("Error connecting to database");
    expect(described).not.toMatch(/s3cr3t|secret-host/);
  });

  it("stops at a bounded depth, so a cause loop cannot hang or flood the log", () => {
    const error = new Error("first");
    let last = error;
    for (let i = 0; i < 20; i++) {
      const next = new Error(`level ${i}`);
      last.cause = next;
      last = next;
    }
    last.cause = error;
    const described = JSON.stringify(describeError(error));
    expect(described).toContain("deeper causes omitted");
    expect(described).not.toContain("level 10");
  });

  it("keeps schema names and SQLSTATE but never a database error's detail", () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: "23505",
      constraint: "users_email_key",
      table: "users",
      detail: "Key (email)=(alice@example.com) already exists.",
    });
    const described = describeError(error);
    expect(described).toMatchObject({ code: "23505", constraint: "users_email_key", table: "users" });
    expect(JSON.stringify(described)).not.toContain("alice@example.com");
  });

  it("keeps stack frames but not the message lines at the top of the stack", () => {
    const described = describeError(new Error("password=hunter2"));
    expect(JSON.stringify(described.frames)).not.toContain("hunter2");
    expect((described.frames as string[]).every((frame) => frame.startsWith("at "))).toBe(true);
  });
});
