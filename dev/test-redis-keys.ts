import { randomBytes } from "node:crypto";
import { parseRedisUrl, RedisConnection } from "./upstash/resp-client.ts";
import { RedisError, type RespReply } from "./upstash/resp.ts";

/**
 * A key prefix of its own for one test run on the Redis of `redisUrl`, so runs sharing the
 * machine's Redis never touch each other's keys, and a function that deletes the run's keys.
 */
export function createTestKeyPrefix(redisUrl: string): { prefix: string; clean(): Promise<number> } {
  const prefix = `test:${Date.now().toString(36)}_${randomBytes(4).toString("hex")}:`;
  return { prefix, clean: () => deleteKeysUnder(redisUrl, prefix) };
}

/**
 * Deletes every key that starts with `prefix` (SCAN MATCH, then UNLINK page by page) over a
 * direct RESP connection; resolves with how many it deleted. `prefix` must hold no glob character.
 */
export async function deleteKeysUnder(redisUrl: string, prefix: string): Promise<number> {
  if (/[*?[\]\\]/.test(prefix)) throw new Error(`a key prefix with glob characters would match other keys: ${prefix}`);
  const connection = await RedisConnection.open(parseRedisUrl(redisUrl), () => {});
  try {
    let cursor = "0";
    let deleted = 0;
    do {
      const [page] = await connection.exec([["SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", "1000"]]);
      const [next, keys] = expectArray(page, "SCAN") as [Buffer, Buffer[]];
      cursor = next.toString();
      if (keys.length > 0) {
        const [count] = await connection.exec([["UNLINK", ...keys]]);
        if (typeof count !== "number") throw new Error(`UNLINK failed: ${describe(count)}`);
        deleted += count;
      }
    } while (cursor !== "0");
    return deleted;
  } finally {
    connection.destroy();
  }
}

function expectArray(reply: RespReply | undefined, command: string): RespReply[] {
  if (!Array.isArray(reply)) throw new Error(`${command} failed: ${describe(reply)}`);
  return reply;
}

function describe(reply: RespReply | undefined): string {
  return reply instanceof RedisError ? reply.message : `unexpected reply ${String(reply)}`;
}
