/**
 * Runs a SQL-over-HTTP payload on a pooled connection and builds Neon's result JSON
 * (query_to_json and BatchQueryData::process in neon's sql_over_http.rs).
 */
import pg from "pg";
import { HttpError, type HeaderOptions, type Payload, type QueryData } from "./http-protocol.ts";
import { textToJson, type ArrayElements } from "./pg-json.ts";

interface RawResult {
  fields: pg.FieldDef[];
  rows: (string | null)[][];
  command: string;
  rowCount: number | null;
}

export interface RunOptions extends HeaderOptions {
  maxResponseBytes: number;
}

/** pg's QueryConfig lacks `queryMode`; "extended" makes pg use Parse/Bind even without parameters. */
interface ExtendedQueryConfig extends pg.QueryArrayConfig {
  queryMode: "extended";
}

// Values stay exactly as PostgreSQL printed them; the client parses them by dataTypeID.
const RAW_TEXT: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value };

const arrayElementCache = new WeakMap<pg.Pool, Map<number, number>>();

export async function runPayload(pool: pg.Pool, payload: Payload, options: RunOptions): Promise<unknown> {
  const client = await connect(pool);
  let results: RawResult[];
  try {
    results = payload.batch
      ? await runBatch(client, payload.queries, options)
      : [await runQuery(client, payload.queries[0]!, options.maxResponseBytes)];
  } catch (error) {
    // A failed query leaves the connection usable; a lost connection or a failed ROLLBACK does not.
    const healthy = error instanceof pg.DatabaseError || error instanceof HttpError;
    client.release(!healthy || client.getTransactionStatus() !== "I");
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, (error as Error).message, asDatabaseError(error));
  }
  try {
    const arrays = options.rawTextOutput ? new Map() : await arrayElements(pool, client, results);
    const json = payload.queries.map((query, index) =>
      toJson(results[index]!, query.arrayMode ?? options.arrayMode, options.rawTextOutput, arrays),
    );
    return payload.batch ? { results: json } : json[0];
  } finally {
    await releaseIdle(client);
  }
}

/**
 * A single statement such as BEGIN can leave a transaction open: roll it back (PGlite shares one
 * session between all connections, so closing ours would not end it) and do not reuse the connection.
 */
async function releaseIdle(client: pg.PoolClient) {
  if (client.getTransactionStatus() === "I") return client.release();
  await client.query("ROLLBACK").catch(() => {});
  client.release(true);
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    const db = asDatabaseError(error);
    if (!db) throw new HttpError(500, "Couldn't connect to compute node");
    // Neon answers 400 for the user's mistakes (unknown database, bad credentials), 500 otherwise.
    const userMistake = db.code === "3D000" || db.code?.startsWith("28");
    throw new HttpError(userMistake ? 400 : 500, db.message, db);
  }
}

async function runBatch(client: pg.PoolClient, queries: QueryData[], options: RunOptions) {
  const modes = [
    options.isolationLevel && `ISOLATION LEVEL ${options.isolationLevel}`,
    options.readOnly && "READ ONLY",
    options.deferrable && "DEFERRABLE",
  ].filter(Boolean);
  await client.query(`START TRANSACTION ${modes.join(", ")}`);
  try {
    const results: RawResult[] = [];
    for (const query of queries) results.push(await runQuery(client, query, options.maxResponseBytes));
    await client.query("COMMIT");
    return results;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** One statement, unnamed, extended protocol: a string holding several statements fails with 42601. */
async function runQuery(client: pg.PoolClient, data: QueryData, maxResponseBytes: number): Promise<RawResult> {
  const config: ExtendedQueryConfig = {
    text: data.query,
    values: data.params,
    rowMode: "array",
    types: RAW_TEXT,
    queryMode: "extended",
  };
  const result = await client.query<(string | null)[]>(config);
  // Neon stops at its response limit inside the transaction, so a batch rolls back.
  if (JSON.stringify(result.rows).length > maxResponseBytes) {
    throw new HttpError(507, `response is too large (max is ${maxResponseBytes} bytes)`);
  }
  return {
    fields: result.fields,
    rows: result.rows,
    command: result.command ?? "",
    rowCount: result.rowCount,
  };
}

function toJson(result: RawResult, arrayMode: boolean, raw: boolean, arrays: ArrayElements) {
  const fields = result.fields.map((field) => ({
    name: field.name,
    dataTypeID: field.dataTypeID >>> 0,
    tableID: field.tableID >>> 0,
    columnID: field.columnID,
    dataTypeSize: field.dataTypeSize,
    dataTypeModifier: field.dataTypeModifier,
    format: "text",
  }));
  const value = (text: string | null, column: number) =>
    text === null || raw ? text : textToJson(text, fields[column]!.dataTypeID, arrays);
  const rows = result.rows.map((row) =>
    arrayMode
      ? row.map(value)
      : Object.fromEntries(row.map((text, column) => [fields[column]!.name, value(text, column)])),
  );
  return { fields, rows, command: result.command, rowCount: result.rowCount, rowAsArray: arrayMode };
}

/** Which result types are arrays (and of what), looked up once per type and database. */
async function arrayElements(pool: pg.Pool, client: pg.PoolClient, results: RawResult[]) {
  let known = arrayElementCache.get(pool);
  if (!known) arrayElementCache.set(pool, (known = new Map()));
  const unknown = [
    ...new Set(results.flatMap((r) => r.fields.map((f) => f.dataTypeID >>> 0))),
  ].filter((oid) => !known.has(oid));
  if (unknown.length > 0) {
    const lookup = await runQuery(
      client,
      {
        query: "SELECT oid::text, typelem::text FROM pg_type WHERE oid = ANY($1::oid[]) AND typcategory = 'A'",
        params: [`{${unknown.join(",")}}`],
        arrayMode: true,
      },
      Infinity,
    );
    for (const oid of unknown) known.set(oid, 0);
    for (const [oid, element] of lookup.rows) known.set(Number(oid), Number(element));
  }
  return known;
}

function asDatabaseError(error: unknown): pg.DatabaseError | undefined {
  return error instanceof pg.DatabaseError ? error : undefined;
}
