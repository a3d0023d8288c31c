import type { Pool } from "@neondatabase/serverless";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseStacks, pointNeonAt, poolOn, uniqueTable } from "./neon-setup";

describe.each(databaseStacks)("Neon WebSocket proxy, over %s", (_name, stack) => {
  let pool: Pool;
  beforeEach(() => {
    pointNeonAt(stack);
    pool = poolOn(stack);
  });
  afterEach(async () => {
    await pool.end();
  });

  it("commits an interactive transaction whose second statement uses the first one's result", async () => {
    const table = uniqueTable("conf_tx");
    await pool.query(`create table ${table} (id serial primary key, parent int)`);
    const client = await pool.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query<{ id: number }>(`insert into ${table} (parent) values (null) returning id`);
      await client.query(`insert into ${table} (parent) values ($1)`, [rows[0]!.id]);
      await client.query("commit");
    } finally {
      client.release();
    }
    const { rows } = await pool.query(`select count(*)::int as c from ${table} where parent is not null`);
    expect(rows).toEqual([{ c: 1 }]);
  });

  it("rolls an interactive transaction back", async () => {
    const table = uniqueTable("conf_rollback");
    await pool.query(`create table ${table} (n int)`);
    const client = await pool.connect();
    try {
      await client.query("begin");
      await client.query(`insert into ${table} values (1)`);
      await client.query("rollback");
    } finally {
      client.release();
    }
    expect((await pool.query(`select count(*)::int as c from ${table}`)).rows).toEqual([{ c: 0 }]);
  });

  it("reports a PostgreSQL error on the connection and keeps it usable", async () => {
    await expect(pool.query("select 1/0")).rejects.toMatchObject({ code: "22012" });
    expect((await pool.query("select 2 as two")).rows).toEqual([{ two: 2 }]);
  });
});
