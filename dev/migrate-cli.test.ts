import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import { redact } from "./logger.ts";
import { MIGRATIONS_FOLDER } from "./migrate.ts";
import { createTestDatabase } from "./test-database.ts";
import { TEST_POSTGRES_URL } from "./test-services.ts";

const cli = fileURLToPath(new URL("./migrate-cli.ts", import.meta.url));

function migrate(databaseUrl: string) {
  const result = spawnSync(process.execPath, [cli], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, lines: result.stderr.trim().split("\n") };
}

describe("npm run db:migrate", () => {
  it("says which database it is about to change and how many migrations are pending, then applies them", async () => {
    const database = await createTestDatabase(TEST_POSTGRES_URL);
    try {
      const { hostname, port, pathname } = new URL(database.url);
      const name = pathname.slice(1);
      const all = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length;

      const first = migrate(database.url);
      expect(first.status).toBe(0);
      expect(first.lines).toEqual([
        `db:migrate: about to change database "${name}" on ${hostname}:${port || 5432} (${redact(database.url)})`,
        `db:migrate: ${all} ${all === 1 ? "migration" : "migrations"} pending`,
        "db:migrate: applied; the database is up to date",
      ]);

      const again = migrate(database.url);
      expect(again.status).toBe(0);
      expect(again.lines.slice(1)).toEqual(["db:migrate: 0 migrations pending", "db:migrate: nothing to apply; the database is up to date"]);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it("refuses a database on another machine without --remote, before connecting to it", () => {
    // 0.0.0.0 is no loopback name, so the CLI must refuse it; were the check gone, Linux would still
    // connect to this machine (port 1, refused), so the test never sends anything elsewhere.
    const url = "postgres://user:secret@0.0.0.0:1/neondb?sslmode=require";
    const refused = migrate(url);
    expect(refused.status).toBe(1);
    expect(refused.lines).toEqual([
      `db:migrate: refusing database "neondb" on 0.0.0.0:1 (${redact(url)}): it is not on this machine; pass --remote to migrate it (npm run db:migrate -- --remote)`,
    ]);
    expect(refused.lines.join("\n")).not.toContain("secret");
  });
});
