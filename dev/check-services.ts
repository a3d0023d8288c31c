// Runs before `npm test`: stops at once, with one clear line, when PostgreSQL or Redis is missing.
import { connect } from "node:net";
import pg from "pg";
import { redact } from "./logger.ts";
import { TEST_POSTGRES_URL, TEST_REDIS_URL } from "./test-services.ts";

async function postgresReachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function redisReachable(url: string): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const finish = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(3000, () => finish("timed out"));
    socket.once("error", (error) => finish(error.message));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => finish(data.toString().startsWith("+PONG") ? undefined : `unexpected answer ${JSON.stringify(data.toString().trim())}`));
  });
}

const [postgresProblem, redisProblem] = await Promise.all([postgresReachable(TEST_POSTGRES_URL), redisReachable(TEST_REDIS_URL)]);
if (postgresProblem) {
  console.error(
    `npm test needs PostgreSQL at ${redact(TEST_POSTGRES_URL)} (${postgresProblem}); start it, e.g. \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\`, or set TEST_POSTGRES_URL.`,
  );
}
if (redisProblem) {
  console.error(
    `npm test needs Redis at ${TEST_REDIS_URL} (${redisProblem}); start it, e.g. \`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\`, or set TEST_REDIS_URL.`,
  );
}
if (postgresProblem || redisProblem) process.exit(1);
