import type { TestProject } from "vitest/node";
import { silentLogger } from "../dev/logger.ts";
import { applyMigrations } from "../dev/migrate.ts";
import { startStack, type StackInfo } from "../dev/stack.ts";
import { createTestDatabase } from "../dev/test-database.ts";
import { TEST_POSTGRES_URL, TEST_REDIS_URL } from "../dev/test-services.ts";

declare module "vitest" {
  interface ProvidedContext {
    /** The local stack over the machine's PostgreSQL (a fresh database for this run) and Redis. */
    stack: StackInfo;
    /** The same stack over an in-memory PGlite, for the conformance suite's second pass. */
    pgliteStack: StackInfo;
  }
}

/** Starts the local stacks for the run, applies migrations, and cleans everything up afterwards. */
export default async function setup(project: TestProject) {
  const database = await createTestDatabase(TEST_POSTGRES_URL);
  const stack = await startStack({ databaseUrl: database.url, redisUrl: TEST_REDIS_URL, logger: silentLogger });
  const pgliteStack = await startStack({ redisUrl: TEST_REDIS_URL, logger: silentLogger });
  await Promise.all([applyMigrations(database.url), applyMigrations(pgliteStack.info.databaseUrl)]);

  project.provide("stack", stack.info);
  project.provide("pgliteStack", pgliteStack.info);

  return async () => {
    await Promise.all([stack.close(), pgliteStack.close()]);
    await database.drop();
  };
}
