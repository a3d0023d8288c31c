// The bench's database and Redis: a fresh database on the machine's PostgreSQL (as the tests use),
// migrated, and the machine's Redis, behind a local stack whose Neon and Upstash endpoints the
// Worker reaches over loopback; the database is dropped and the run's Redis keys deleted at the end.
import { randomBytes } from "node:crypto";
import type { EndpointName } from "../dev/faults.ts";
import { silentLogger } from "../dev/logger.ts";
import { applyMigrations } from "../dev/migrate.ts";
import { startStack } from "../dev/stack.ts";
import { workerBindings, type WorkerBindings } from "../dev/stack-info.ts";
import { createTestDatabase } from "../dev/test-database.ts";
import { deleteKeysUnder } from "../dev/test-redis-keys.ts";
import { TEST_POSTGRES_URL, TEST_REDIS_URL } from "../dev/test-services.ts";

export interface BenchDatabase {
  /** DATABASE_URL and the local stack's Neon endpoints, as Worker bindings: no Upstash. */
  bindings: WorkerBindings;
  /** The stack's Upstash endpoint and token, for the Workers that use Redis. */
  upstash: Record<"UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN", string>;
  /** Every Redis key the run writes starts with it (RATE_LIMITS' keyPrefix); they are deleted at the end. */
  redisKeyPrefix: string;
  /** The plain PostgreSQL URL of the run's database, for seeding it directly. */
  postgresUrl: string;
  /** Requests (and Neon WebSocket connections) the stack's endpoints received so far: round trips. */
  arrivals(): Record<EndpointName, number>;
  close(): Promise<void>;
}

/** Needs PostgreSQL at TEST_POSTGRES_URL and Redis at TEST_REDIS_URL, as `npm test` does. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const database = await createTestDatabase(TEST_POSTGRES_URL).catch((error: unknown) => {
    throw new Error(`npm run bench needs PostgreSQL at TEST_POSTGRES_URL for its database scenarios (${error instanceof Error ? error.message : String(error)})`);
  });
  const redisKeyPrefix = `bench:${Date.now().toString(36)}_${randomBytes(4).toString("hex")}:`;
  try {
    await applyMigrations(database.url);
    const stack = await startStack({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL, logger: silentLogger }).catch((error: unknown) => {
      throw new Error(`npm run bench needs Redis at TEST_REDIS_URL for its Upstash scenario (${error instanceof Error ? error.message : String(error)})`);
    });
    const { UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN, ...bindings } = workerBindings(stack.info);
    if (!UPSTASH_REDIS_REST_URL || !UPSTASH_REDIS_REST_TOKEN) {
      await stack.close();
      throw new Error("the local stack started no Upstash endpoint");
    }
    return {
      bindings,
      upstash: { UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN },
      redisKeyPrefix,
      postgresUrl: database.url,
      arrivals: () => stack.faults.arrivals(),
      close: async () => {
        await stack.close();
        await Promise.all([database.drop(), deleteKeysUnder(TEST_REDIS_URL, redisKeyPrefix)]);
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
