// The bench's database: a fresh one on the machine's PostgreSQL (as the tests use), migrated, behind
// a local stack whose Neon endpoints the Worker reaches over loopback; dropped at the end.
import { silentLogger } from "../dev/logger.ts";
import { applyMigrations } from "../dev/migrate.ts";
import { startStack } from "../dev/stack.ts";
import { workerBindings, type WorkerBindings } from "../dev/stack-info.ts";
import { createTestDatabase } from "../dev/test-database.ts";
import { TEST_POSTGRES_URL } from "../dev/test-services.ts";

export interface BenchDatabase {
  /** DATABASE_URL and the local stack's Neon endpoints, as Worker bindings. */
  bindings: WorkerBindings;
  close(): Promise<void>;
}

/** Needs PostgreSQL at TEST_POSTGRES_URL (as `npm test` does); no Redis: no scenario uses it yet. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const database = await createTestDatabase(TEST_POSTGRES_URL).catch((error: unknown) => {
    throw new Error(`npm run bench needs PostgreSQL at TEST_POSTGRES_URL for its database scenarios (${error instanceof Error ? error.message : String(error)})`);
  });
  try {
    await applyMigrations(database.url);
    const stack = await startStack({ databaseUrl: database.url, logger: silentLogger });
    return {
      bindings: workerBindings(stack.info),
      close: async () => {
        await stack.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
