// `npm run db:migrate`: applies migrations to DATABASE_URL (Neon, or any PostgreSQL).
import { applyMigrations } from "./migrate.ts";
import { redact } from "./logger.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("db:migrate: set DATABASE_URL to the database to migrate (for the local stack, `npm run stack` prints it).");
  process.exit(1);
}
try {
  await applyMigrations(databaseUrl);
  console.error(`db:migrate: ${redact(databaseUrl)} is up to date`);
} catch (error) {
  console.error(`db:migrate: failed: ${redact(error instanceof Error ? error.message : String(error))}`);
  process.exit(1);
}
