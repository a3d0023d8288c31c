import { neon, NeonDbError } from "@neondatabase/serverless";
import { beforeEach, describe, expect, it } from "vitest";
import { clientOn, databaseStacks, pointNeonAt, uniqueTable } from "./neon-setup";

const raw = { getTypeParser: () => (value: string) => value };

/** One row with every PostgreSQL type the project uses, NULL included. */
const EVERY_TYPE = `select
  '2024-02-29 13:14:15.123456+00'::timestamptz as tstz,
  '2024-02-29 13:14:15.5'::timestamp as ts,
  '2024-02-29'::date as d,
  '{"a":[1,2,{"b":null}],"é":"ü😀"}'::json as j,
  '{"z":1,"a":{"nested":true}}'::jsonb as jb,
  '12345678901234567890.000100'::numeric as n,
  9007199254740993::int8 as big,
  42::int4 as i,
  1.5::float8 as f,
  true as b,
  '\\xdeadbeef00'::bytea as bin,
  array['a','b,c','"q"',null]::text[] as texts,
  array[1,2,3]::int4[] as ints,
  '6f1c3c5e-2b8a-4a7e-9a53-2a1f0e3d4c5b'::uuid as id,
  'héllo 😀'::text as t,
  null::text as nothing`;

describe.each(databaseStacks)("Neon SQL over HTTP, over %s", (_name, stack) => {
  beforeEach(() => pointNeonAt(stack));

  it("runs a parameterised query and returns rows as objects", async () => {
    const sql = neon(stack.databaseUrl);
    const rows = await sql.query("select $1::int + 1 as next, $2::text as word", [41, "hé"]);
    expect(rows).toEqual([{ next: 42, word: "hé" }]);
  });

  it("gives every type the same OID and text the PostgreSQL wire protocol gives", async () => {
    const sql = neon(stack.databaseUrl);
    const viaHttp = await sql.query(EVERY_TYPE, [], { fullResults: true, types: raw });

    const client = clientOn(stack);
    await client.connect();
    const viaWire = await client.query({ text: EVERY_TYPE, types: raw });
    await client.end();

    expect(viaHttp.fields.map((field) => [field.name, field.dataTypeID])).toEqual(viaWire.fields.map((field) => [field.name, field.dataTypeID]));
    expect(viaHttp.rows).toEqual(viaWire.rows);
    expect(viaHttp.rowCount).toBe(1);
    expect(viaHttp.command).toBe("SELECT");
  });

  it("parses json, numeric, int8, bytea, arrays and NULL as the driver does in production", async () => {
    const sql = neon(stack.databaseUrl);
    const [row] = await sql.query(EVERY_TYPE);
    expect(row).toMatchObject({
      j: { a: [1, 2, { b: null }], é: "ü😀" },
      jb: { a: { nested: true }, z: 1 },
      n: "12345678901234567890.000100",
      big: "9007199254740993",
      i: 42,
      f: 1.5,
      b: true,
      texts: ["a", "b,c", '"q"', null],
      ints: [1, 2, 3],
      id: "6f1c3c5e-2b8a-4a7e-9a53-2a1f0e3d4c5b",
      t: "héllo 😀",
      nothing: null,
    });
    expect([...new Uint8Array(row!.bin)]).toEqual([0xde, 0xad, 0xbe, 0xef, 0x00]);
  });

  it("returns rows as arrays in array mode", async () => {
    const sql = neon(stack.databaseUrl, { arrayMode: true });
    expect(await sql.query("select 1 as a, 'x' as b union all select 2, null")).toEqual([
      [1, "x"],
      [2, null],
    ]);
  });

  it("raises the driver's error class with code, detail and constraint on a unique violation", async () => {
    const sql = neon(stack.databaseUrl);
    const table = uniqueTable("conf_unique");
    await sql.query(`create table ${table} (email text constraint ${table}_email_key unique)`);
    await sql.query(`insert into ${table} values ($1)`, ["a@example.com"]);

    const error = await sql.query(`insert into ${table} values ($1)`, ["a@example.com"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NeonDbError);
    expect(error).toMatchObject({ code: "23505", constraint: `${table}_email_key`, table, severity: "ERROR" });
    expect((error as NeonDbError).detail).toContain("a@example.com");
  });

  it("refuses several statements in one query with 42601, as Neon does", async () => {
    const sql = neon(stack.databaseUrl);
    await expect(sql.query("select 1; select 2")).rejects.toMatchObject({ code: "42601" });
  });

  it("reports a syntax error with its position and keeps serving", async () => {
    const sql = neon(stack.databaseUrl);
    await expect(sql.query("selec 1")).rejects.toMatchObject({ code: "42601", position: "1" });
    expect(await sql.query("select 'still here' as s")).toEqual([{ s: "still here" }]);
  });

  it("runs a transaction batch as one transaction and rolls it back whole when a statement fails", async () => {
    const sql = neon(stack.databaseUrl);
    const table = uniqueTable("conf_batch");
    await sql.query(`create table ${table} (n int primary key)`);

    const results = await sql.transaction([sql.query(`insert into ${table} values (1), (2)`), sql.query(`select count(*)::int as c from ${table}`)]);
    expect(results[1]).toEqual([{ c: 2 }]);

    const failure = sql.transaction([sql.query(`insert into ${table} values (3)`), sql.query(`insert into ${table} values (1)`)]);
    await expect(failure).rejects.toMatchObject({ code: "23505" });
    expect(await sql.query(`select n from ${table} order by n`)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("honours the isolation level and read-only options of a batch", async () => {
    const sql = neon(stack.databaseUrl);
    const settings = await sql.transaction(
      [sql.query("select current_setting('transaction_isolation') as v"), sql.query("select current_setting('transaction_read_only') as v")],
      { isolationLevel: "Serializable", readOnly: true },
    );
    expect(settings).toEqual([[{ v: "serializable" }], [{ v: "on" }]]);

    const table = uniqueTable("conf_readonly");
    await expect(sql.transaction([sql.query(`create table ${table} (n int)`)], { readOnly: true })).rejects.toMatchObject({ code: "25006" });
  });
});
