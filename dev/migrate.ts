import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { redact } from "./logger.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Applies every pending migration in `migrations/` in one transaction; applying twice changes
 * nothing (drizzle records what ran in `drizzle.__drizzle_migrations`). Works against the local
 * stack, a local PostgreSQL and Neon alike, since it speaks the wire protocol directly.
 */
export async function applyMigrations(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (client) => migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER }));
}

/** How many migrations `applyMigrations` would apply: drizzle's rule, those newer than the last one recorded. */
export async function countPendingMigrations(databaseUrl: string): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const last = await withClient(databaseUrl, async (client) => {
    const { rows: [table] } = await client.query<{ found: boolean }>("select to_regclass('drizzle.__drizzle_migrations') is not null as found");
    if (!table?.found) return null;
    const { rows: [newest] } = await client.query<{ createdAt: string | null }>('select max(created_at) as "createdAt" from drizzle.__drizzle_migrations');
    return newest?.createdAt ?? null;
  });
  return migrations.filter((migration) => last === null || Number(last) < migration.folderMillis).length;
}

/** Names the database a URL reaches, as pg resolves it, with the password redacted: `database "app" on host:5432 (url)`. */
export function describeDatabase(databaseUrl: string): string {
  const { database, host, port } = new pg.Client({ connectionString: databaseUrl });
  return `database "${database}" on ${host}:${port} (${redact(databaseUrl)})`;
}
