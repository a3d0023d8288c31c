// `npm run db:seed [-- --tasks 5000] [--seed 1] [--owner you@example.com]`: one realistic workspace in
// the database `npm run dev` uses (the embedded PGlite in .data/pglite, or LOCAL_DATABASE_URL), migrated
// first. Like `npm run dev`, it never reads DATABASE_URL, so it cannot fill a deployed database. With
// PGlite, stop `npm run dev` first: PGlite serves one process at a time.
import { parseArgs } from "node:util";
import pg from "pg";
import { createLogger } from "./logger.ts";
import { applyMigrations } from "./migrate.ts";
import { MAX_SEED_TASKS, seedWorkspace } from "./seed.ts";
import { startStack } from "./stack.ts";
import { stackOptionsFromEnv } from "./stack-env.ts";

const logger = createLogger("seed");
let args;
try {
  args = parseArgs({ options: { tasks: { type: "string", default: "5000" }, seed: { type: "string", default: "1" }, owner: { type: "string" } } }).values;
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
const tasks = Number(args.tasks);
const seed = Number(args.seed);
if (!Number.isInteger(tasks) || tasks < 0 || tasks > MAX_SEED_TASKS || !Number.isInteger(seed)) {
  logger.error(`--tasks must be a whole number from 0 to ${MAX_SEED_TASKS} and --seed a whole number`);
  process.exit(1);
}

let stack;
try {
  stack = await startStack({ ...stackOptionsFromEnv(process.env), logger: createLogger("stack") });
} catch (error) {
  logger.error(`could not open the development database (is \`npm run dev\` running? stop it first): ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const client = new pg.Client({ connectionString: stack.info.databaseUrl });
try {
  await applyMigrations(stack.info.databaseUrl);
  await client.connect();
  const started = performance.now();
  const summary = await seedWorkspace(client, { tasks, seed, ownerEmail: args.owner });
  logger.info("seeded", {
    workspace: summary.workspaceId,
    slug: summary.workspaceSlug,
    owner: summary.ownerId,
    members: summary.memberIds.length + 1,
    projects: summary.projectIds.length,
    tasks: summary.tasks,
    comments: summary.comments,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  });
} catch (error) {
  logger.error(`seeding failed, nothing written: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => {});
  await stack.close();
}
