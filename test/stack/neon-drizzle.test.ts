import { neon } from "@neondatabase/serverless";
import { eq, sql } from "drizzle-orm";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import { bigint, boolean, integer, jsonb, numeric, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { beforeEach, describe, expect, it } from "vitest";
import { databaseStacks, pointNeonAt, poolOn, uniqueTable } from "./neon-setup";

function itemsTable(name: string) {
  return pgTable(name, {
    id: integer().primaryKey(),
    title: text().notNull(),
    done: boolean().notNull().default(false),
    meta: jsonb().$type<{ tags: string[] }>(),
    price: numeric({ precision: 12, scale: 2 }),
    views: bigint({ mode: "bigint" }),
    dueAt: timestamp({ withTimezone: true, mode: "date" }),
  });
}

function createTableSql(name: string) {
  return `create table ${name} (id int primary key, title text not null, done boolean not null default false,
    meta jsonb, price numeric(12,2), views int8, due_at timestamptz)`;
}

const due = new Date("2030-01-02T03:04:05.678Z");

describe.each(databaseStacks)("drizzle over %s", (_name, stack) => {
  beforeEach(() => pointNeonAt(stack));

  it("selects, inserts, updates and deletes through neon-http, and batches atomically", async () => {
    const name = uniqueTable("conf_drizzle_http");
    const items = itemsTable(name);
    const db = drizzleHttp({ client: neon(stack.databaseUrl), casing: "snake_case" });
    await db.execute(sql.raw(createTableSql(name)));

    const [inserted] = await db
      .insert(items)
      .values({ id: 1, title: "first", meta: { tags: ["a"] }, price: "12.50", views: 9007199254740993n, dueAt: due })
      .returning();
    expect(inserted).toEqual({ id: 1, title: "first", done: false, meta: { tags: ["a"] }, price: "12.50", views: 9007199254740993n, dueAt: due });

    await db.update(items).set({ done: true }).where(eq(items.id, 1));
    expect(await db.select({ done: items.done }).from(items).where(eq(items.id, 1))).toEqual([{ done: true }]);

    await expect(db.batch([db.insert(items).values({ id: 2, title: "second" }), db.insert(items).values({ id: 1, title: "duplicate" })])).rejects.toThrow();
    expect(await db.select({ id: items.id }).from(items)).toEqual([{ id: 1 }]);

    await db.delete(items).where(eq(items.id, 1));
    expect(await db.select().from(items)).toEqual([]);
  });

  it("has no interactive transactions over HTTP, as in production", async () => {
    const db = drizzleHttp({ client: neon(stack.databaseUrl) });
    await expect(db.transaction(async () => {})).rejects.toThrow(/No transactions support in neon-http driver/);
  });

  it("selects, inserts, updates and deletes through neon-serverless in an interactive transaction", async () => {
    const name = uniqueTable("conf_drizzle_ws");
    const items = itemsTable(name);
    const pool = poolOn(stack);
    const db = drizzleWs({ client: pool, casing: "snake_case" });
    try {
      await db.execute(sql.raw(createTableSql(name)));
      await db.transaction(async (tx) => {
        await tx.insert(items).values({ id: 1, title: "one", dueAt: due });
        const [row] = await tx.select().from(items).where(eq(items.id, 1));
        await tx.update(items).set({ title: `${row!.title} updated` }).where(eq(items.id, 1));
      });
      expect(await db.select({ title: items.title, dueAt: items.dueAt }).from(items)).toEqual([{ title: "one updated", dueAt: due }]);

      await expect(
        db.transaction(async (tx) => {
          await tx.delete(items).where(eq(items.id, 1));
          throw new Error("abandon");
        }),
      ).rejects.toThrow("abandon");
      expect(await db.select({ id: items.id }).from(items)).toEqual([{ id: 1 }]);

      await db.delete(items).where(eq(items.id, 1));
      expect(await db.select().from(items)).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
