// `npm run db:migrate`: applies migrations to DATABASE_URL (Neon, or any PostgreSQL), saying first
// which database it is about to change and how many migrations are pending. A database on another
// machine (staging, production) is changed only with `--remote`, so a stray DATABASE_URL in a shell
// cannot migrate a deployed database by accident: `npm run db:migrate -- --remote`.
import { applyMigrations, countPendingMigrations, describeDatabase } from "./migrate.ts";
import { redact } from "./logger.ts";
import { isLoopbackHost, postgresHosts } from "./loopback.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("db:migrate: set DATABASE_URL to the database to migrate (for the local stack, `npm run stack` prints it).");
  process.exit(1);
}
const remote = process.argv.slice(2).includes("--remote");
try {
  const hosts = postgresHosts(databaseUrl);
  if (!remote && !hosts.every(isLoopbackHost)) {
    console.error(`db:migrate: refusing ${describeDatabase(databaseUrl)}: it is not on this machine; pass --remote to migrate it (npm run db:migrate -- --remote)`);
    process.exit(1);
  }
  console.error(`db:migrate: about to change ${describeDatabase(databaseUrl)}`);
  const pending = await countPendingMigrations(databaseUrl);
  console.error(`db:migrate: ${pending} ${pending === 1 ? "migration" : "migrations"} pending`);
  if (pending > 0) await applyMigrations(databaseUrl);
  console.error(`db:migrate: ${pending > 0 ? "applied" : "nothing to apply"}; the database is up to date`);
} catch (error) {
  console.error(`db:migrate: failed: ${redact(error instanceof Error ? error.message : String(error))}`);
  process.exit(1);
}
