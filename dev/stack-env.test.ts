import { describe, expect, it } from "vitest";
import { RemoteServerError, stackOptionsFromEnv } from "./stack-env.ts";

const REMOTE_DATABASE = "postgres://u:secret@db.example.com/x";
const REMOTE_REDIS = "redis://:secret@cache.example.com:6379";

function refusal(env: NodeJS.ProcessEnv): RemoteServerError {
  try {
    stackOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof RemoteServerError) return error;
    throw error;
  }
  throw new Error("stackOptionsFromEnv accepted it");
}

describe("stackOptionsFromEnv", () => {
  it("ignores the Worker's DATABASE_URL and REDIS_URL: the stack runs PGlite without Redis", () => {
    const options = stackOptionsFromEnv({ DATABASE_URL: REMOTE_DATABASE, REDIS_URL: REMOTE_REDIS });
    expect(options.databaseUrl).toBeUndefined();
    expect(options.redisUrl).toBeUndefined();
  });

  it("uses LOCAL_DATABASE_URL and LOCAL_REDIS_URL on this machine", () => {
    const options = stackOptionsFromEnv({ LOCAL_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/app", LOCAL_REDIS_URL: "redis://localhost:6379" });
    expect(options).toMatchObject({ databaseUrl: "postgres://postgres@127.0.0.1:5432/app", redisUrl: "redis://localhost:6379" });
  });

  it("refuses a database on another machine in one line naming LOCAL_ALLOW_REMOTE, without the password", () => {
    const { message } = refusal({ LOCAL_DATABASE_URL: REMOTE_DATABASE });
    expect(message).toBe(
      "LOCAL_DATABASE_URL points at db.example.com (postgres://u:***@db.example.com/x), not at this machine: set LOCAL_ALLOW_REMOTE=1 to use a remote server anyway.",
    );
  });

  it("refuses a database whose host parameter leads to another machine", () => {
    expect(refusal({ LOCAL_DATABASE_URL: "postgres://u:secret@127.0.0.1/x?host=db.example.com" }).message).toContain("points at db.example.com");
  });

  it("refuses a Redis on another machine", () => {
    const { message } = refusal({ LOCAL_REDIS_URL: REMOTE_REDIS });
    expect(message).toMatch(/^LOCAL_REDIS_URL points at cache\.example\.com .*LOCAL_ALLOW_REMOTE=1/);
    expect(message).not.toContain("secret");
  });

  it("refuses a setting that is not a URL without echoing it", () => {
    const { message } = refusal({ LOCAL_DATABASE_URL: "postgres://u:secret@db.example.com:port/x" });
    expect(message).toBe("LOCAL_DATABASE_URL is not a valid URL.");
  });

  it("uses servers on another machine when told explicitly with LOCAL_ALLOW_REMOTE=1", () => {
    const options = stackOptionsFromEnv({ LOCAL_DATABASE_URL: REMOTE_DATABASE, LOCAL_REDIS_URL: REMOTE_REDIS, LOCAL_ALLOW_REMOTE: "1" });
    expect(options).toMatchObject({ databaseUrl: REMOTE_DATABASE, redisUrl: REMOTE_REDIS });
  });

  it("takes nothing but 1 for LOCAL_ALLOW_REMOTE", () => {
    expect(refusal({ LOCAL_DATABASE_URL: REMOTE_DATABASE, LOCAL_ALLOW_REMOTE: "true" })).toBeInstanceOf(RemoteServerError);
  });
});
