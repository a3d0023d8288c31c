import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { workerBindings, type StackInfo } from "../../dev/stack-info.ts";
import { createDatabase } from "../../src/db/client";
import { workspaces } from "../../src/db/schema";
import { loadConfig } from "../../src/env";
import { clearFaults, faultStack, setFault } from "../helpers/stack";

const stack = faultStack("database");

/** The database module on the test bindings, or on another stack's. */
function database(on?: StackInfo) {
  const result = loadConfig({ ...env, ...(on ? workerBindings(on) : {}) });
  if (!result.ok) throw new Error(`test bindings are invalid: ${result.settings.join(", ")}`);
  return createDatabase(result.config);
}

const newWorkspace = (slug: string) => ({ id: `ws_${crypto.randomUUID().replaceAll("-", "")}`, name: `Workspace ${slug}`, slug });
const uniqueSlug = () => `w-${crypto.randomUUID().slice(0, 8)}`;

describe("the database module", () => {
  afterEach(() => clearFaults(stack));

  it("reads and writes the migrated schema over HTTP", async () => {
    const db = database();
    const row = newWorkspace(uniqueSlug());
    const [inserted] = await db.http.insert(workspaces).values(row).returning();
    expect(inserted).toMatchObject({ ...row, deletedAt: null });
    expect(inserted!.createdAt).toBeInstanceOf(Date);
  });

  it("enforces the schema's constraints", async () => {
    const db = database();
    const slug = uniqueSlug();
    await db.http.insert(workspaces).values(newWorkspace(slug));
    await expect(db.http.insert(workspaces).values(newWorkspace(slug))).rejects.toMatchObject({ cause: expect.objectContaining({ code: "23505" }) });
    await expect(db.http.insert(workspaces).values(newWorkspace("Not A Slug!"))).rejects.toMatchObject({ cause: expect.objectContaining({ code: "23514" }) });
  });

  it("commits an interactive transaction over the WebSocket pool", async () => {
    const db = database();
    const row = newWorkspace(uniqueSlug());
    const renamed = await db.transaction(async (tx) => {
      await tx.insert(workspaces).values(row);
      const [current] = await tx.select().from(workspaces).where(eq(workspaces.id, row.id));
      const [updated] = await tx.update(workspaces).set({ name: `${current!.name} (renamed)` }).where(eq(workspaces.id, row.id)).returning();
      return updated!.name;
    });
    expect(renamed).toBe(`${row.name} (renamed)`);
    expect(await db.http.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, row.id))).toEqual([{ name: renamed }]);
  });

  it("rolls an interactive transaction back when its work throws", async () => {
    const db = database();
    const row = newWorkspace(uniqueSlug());
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(workspaces).values(row);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await db.http.select().from(workspaces).where(eq(workspaces.id, row.id))).toEqual([]);
  });

  it("answers a ping and fails one that outlives its timeout", async () => {
    const db = database(stack);
    await expect(db.ping(2000)).resolves.toBeUndefined();
    // Far beyond the timeout, so the ping cannot win: the test still only waits for the timeout.
    await setFault("neonHttp", { latencyMs: 30_000 }, stack);
    await expect(db.ping(200)).rejects.toThrow(/timeout|timed out/i);
  });
});
