// The account the identity scenarios use: registered through the API, then signed in once; for the
// domain scenarios, the owner of a seeded workspace.
import pg from "pg";
import { seedWorkspace } from "../dev/seed.ts";
import type { BenchSession, BenchWorkspace } from "./scenarios.ts";

/** Tasks in the bench's workspace: a list and a search over thousands, as `npm run db:seed` writes. */
const BENCH_TASKS = 5000;

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
}

/** Registers a fresh account on the app at `baseUrl` and signs it in; throws with the answer when either fails. */
export async function signInForBench(baseUrl: string): Promise<BenchSession> {
  const email = `bench-${Date.now().toString(36)}@example.test`;
  const password = "a bench password that is long enough";
  const registered = await post(`${baseUrl}/v1/auth/register`, { email, password });
  if (registered.status !== 202) throw new Error(`registering the bench account answered ${registered.status}: ${await registered.text()}`);
  const signedIn = await post(`${baseUrl}/v1/auth/login`, { email, password });
  if (signedIn.status !== 200) throw new Error(`signing the bench account in answered ${signedIn.status}: ${await signedIn.text()}`);
  const { accessToken } = (await signedIn.json()) as { accessToken: string };
  return { email, password, accessToken };
}

/** Seeds a workspace owned by the account `email` in the database at `postgresUrl` (dev/seed.ts), and picks the tasks the scenarios use. */
export async function seedForBench(postgresUrl: string, email: string): Promise<BenchWorkspace> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const { workspaceId } = await seedWorkspace(client, { tasks: BENCH_TASKS, seed: 1, ownerEmail: email });
    const { rows } = await client.query<{ id: string }>("select id from tasks where workspace_id = $1 order by created_at, id limit 101 offset $2", [workspaceId, BENCH_TASKS / 2]);
    const [task, ...bulk] = rows.map((row) => row.id);
    if (!task || bulk.length < 100) throw new Error("the bench workspace has too few tasks");
    return { id: workspaceId, taskId: task, bulkTaskIds: bulk };
  } finally {
    await client.end();
  }
}
