import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("./check-services.ts", import.meta.url));
const CLOSED_PORT = "127.0.0.1:1";

function check(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 20_000 });
  return { status: result.status, lines: result.stderr.trim().split("\n").filter(Boolean) };
}

describe("the check before npm test", () => {
  it("passes when PostgreSQL and Redis answer", () => {
    expect(check({})).toEqual({ status: 0, lines: [] });
  });

  it("stops with one line naming Redis and how to start it when Redis is missing", () => {
    const { status, lines } = check({ TEST_REDIS_URL: `redis://${CLOSED_PORT}` });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/needs Redis at redis:\/\/127\.0\.0\.1:1 .*redis-server --daemonize yes/);
  });

  it("stops with one line naming PostgreSQL, without its password, when PostgreSQL is missing", () => {
    const { status, lines } = check({ TEST_POSTGRES_URL: `postgres://postgres:s3cret@${CLOSED_PORT}/postgres` });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/needs PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres .*pg_ctlcluster/);
    expect(lines[0]).not.toContain("s3cret");
  });
});
