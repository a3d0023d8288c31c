import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, inject, it } from "vitest";
import { workerBindings } from "../../dev/stack-info";
import { createApp } from "../../src/app";
import { apiKeys, workspaceRoles } from "../../src/db/schema";
import { IDEMPOTENCY_TTL_SECONDS } from "../../src/middleware/idempotency";
import { db } from "../helpers/accounts";
import { call } from "../helpers/app";
import { allowConsoleError } from "../helpers/expected-noise";
import { bearer } from "../helpers/identity";
import { expectProblem } from "../helpers/problem";
import { clearFaults, faultStack, setFault } from "../helpers/stack";
import { createWorkspace, signedInUser } from "../helpers/workspaces";
import { insertAttachment, insertTask, issueKey } from "../security/fixtures";
import { upstashClient } from "../stack/upstash-setup";

const stack = faultStack("idempotency");
afterEach(() => clearFaults(stack));

const ROLE = { name: "Support", permissions: ["member:read"] };

/**
 * A workspace, its owner, and an app standing for one isolate whose Redis keys go under a prefix of
 * this test's own, so what it stores can be listed.
 */
async function setup() {
  const owner = await signedInUser();
  const workspaceId = await createWorkspace(owner);
  const prefix = `${inject("redisKeyPrefix")}idem${crypto.randomUUID().slice(0, 8)}:`;
  const app = createApp();
  const bindings = { ...workerBindings(stack), REDIS_KEY_PREFIX: prefix };
  const post = (path: string, body: unknown, options: { key?: string; authorization?: Record<string, string> } = {}) =>
    call(
      app,
      path,
      {
        method: "POST",
        headers: { ...(options.authorization ?? bearer(owner.accessToken)), "Content-Type": "application/json", ...(options.key === undefined ? {} : { "Idempotency-Key": options.key }) },
        body: JSON.stringify(body),
      },
      bindings,
    );
  const roles = `/v1/workspaces/${workspaceId}/roles`;
  const roleCount = async () => (await db.select().from(workspaceRoles).where(eq(workspaceRoles.workspaceId, workspaceId))).length;
  const storedKeys = () => upstashClient().keys(`${prefix}idempotency:*`);
  return { owner, workspaceId, app, bindings, post, roles, roleCount, storedKeys };
}

describe("Idempotency-Key on a workspace POST", () => {
  it("replays the first answer to a retry with the same key and body, and creates the role once", async () => {
    const { post, roles, roleCount, storedKeys } = await setup();
    const first = await post(roles, ROLE, { key: "create-support" });
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotency-Replayed")).toBeNull();
    const created = await first.json();

    const retry = await post(roles, ROLE, { key: "create-support" });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(retry.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await retry.json()).toEqual(created);
    expect(await roleCount()).toBe(1);

    const [stored] = await storedKeys();
    const ttlMs = await upstashClient().pttl(stored!);
    expect(ttlMs).toBeGreaterThan((IDEMPOTENCY_TTL_SECONDS - 60) * 1000);
    expect(ttlMs).toBeLessThanOrEqual(IDEMPOTENCY_TTL_SECONDS * 1000);
  });

  it("refuses the same key with another body (422) and keeps the first answer for the first body", async () => {
    const { post, roles, roleCount } = await setup();
    expect((await post(roles, ROLE, { key: "k-1" })).status).toBe(201);
    await expectProblem(await post(roles, { ...ROLE, name: "Billing" }, { key: "k-1" }), { status: 422, code: "IDEMPOTENCY_KEY_REUSED" });
    expect((await post(roles, ROLE, { key: "k-1" })).headers.get("Idempotency-Replayed")).toBe("true");
    expect(await roleCount()).toBe(1);
  });

  it("holds a key for its caller alone: another caller's request with the same key and body runs", async () => {
    const { workspaceId, post, roles } = await setup();
    expect((await post(roles, ROLE, { key: "shared" })).status).toBe(201);
    const authorization = bearer(await issueKey(workspaceId, ["role:manage", "member:read"]));
    // Run, not replayed: the role's name is taken by the owner's.
    await expectProblem(await post(roles, ROLE, { key: "shared", authorization }), { status: 409, code: "CONFLICT" });
  });

  it("lets exactly one of many concurrent identical POSTs run; the others are 409 with Retry-After", async () => {
    const { post, roles, roleCount } = await setup();
    // Every database call takes 300 ms: the first request is still creating the role when the others ask.
    await setFault("neonHttp", { latencyMs: 300 }, stack);
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(roles, ROLE, { key: "burst" })));
    await clearFaults(stack);

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((candidate) => candidate.status === 409)) {
      const problem = await expectProblem(answer, { status: 409, code: "IDEMPOTENCY_KEY_IN_USE" });
      expect(problem.detail).toBeTruthy();
      expect(answer.headers.get("Retry-After")).toBe("1");
    }
    expect(await roleCount()).toBe(1);
    expect((await post(roles, ROLE, { key: "burst" })).headers.get("Idempotency-Replayed")).toBe("true");
  });

  it("frees the key when the request fails with a 5xx, so a retry runs", async () => {
    const { workspaceId, post, roles, roleCount } = await setup();
    // A key the isolate holds needs no database call before the handler's own.
    const authorization = bearer(await issueKey(workspaceId, ["role:manage", "member:read"]));
    expect((await post(roles, { ...ROLE, name: "Warm-up" }, { authorization })).status).toBe(201);
    allowConsoleError(/"msg":"dependency unavailable"/, "the database fails on purpose while the role is created");
    await setFault("neonHttp", { errorStatus: 503 }, stack);
    const failed = await post(roles, ROLE, { key: "after-outage", authorization });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await clearFaults(stack);

    const retry = await post(roles, ROLE, { key: "after-outage", authorization });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBeNull();
    expect(await roleCount()).toBe(2);
  });

  it("frees the key when the request is refused with a thrown error, so a corrected body may use it", async () => {
    const { post, roles, roleCount } = await setup();
    await expectProblem(await post(roles, { name: "Support" }, { key: "fix-me" }), { status: 400, code: "VALIDATION_FAILED" });
    const corrected = await post(roles, ROLE, { key: "fix-me" });
    expect(corrected.status).toBe(201);
    expect(await roleCount()).toBe(1);
  });

  it.each([
    ["longer than 255 characters", "k".repeat(256)],
    ["not printable ASCII", "tab\tinside"],
  ])("refuses a key %s with 400 and runs nothing", async (_, key) => {
    const { post, roles, roleCount } = await setup();
    await expectProblem(await post(roles, ROLE, { key }), { status: 400, code: "BAD_REQUEST" });
    expect(await roleCount()).toBe(0);
  });

  it("answers 503 with Retry-After when Redis is down and runs nothing; a POST without a key still runs", async () => {
    const { post, roles, roleCount } = await setup();
    allowConsoleError(/"msg":"dependency unavailable"/, "Redis is down on purpose");
    await setFault("upstash", { errorStatus: 503 }, stack);
    const refused = await post(roles, ROLE, { key: "no-redis" });
    await expectProblem(refused, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(refused.headers.get("Retry-After")).toBe("5");
    expect(await roleCount()).toBe(0);
    expect((await post(roles, ROLE)).status).toBe(201);
  });

  it("stores nothing for a route whose answer shows a secret once: each request with the key creates a key", async () => {
    const { workspaceId, post, roles, storedKeys } = await setup();
    const path = `/v1/workspaces/${workspaceId}/api-keys`;
    const body = { name: "CI", scopes: ["workspace:read"] };
    const first = await post(path, body, { key: "new-key" });
    const second = await post(path, body, { key: "new-key" });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get("Idempotency-Replayed")).toBeNull();
    expect((await first.json<{ id: string }>()).id).not.toBe((await second.json<{ id: string }>()).id);
    expect(await db.select().from(apiKeys).where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.name, "CI")))).toHaveLength(2);
    expect(await storedKeys()).toEqual([]);
    // The same isolate and prefix do store what a route that honours the key answers.
    await post(roles, ROLE, { key: "new-key" });
    expect(await storedKeys()).toHaveLength(1);
  });

  it("stores nothing for a signed download link, a bearer credential: each request with the key gets a link of its own", async () => {
    const { owner, workspaceId, post, storedKeys } = await setup();
    const taskId = await insertTask(workspaceId, owner.id);
    const { id } = await insertAttachment(workspaceId, taskId, owner.id);
    const path = `/v1/workspaces/${workspaceId}/tasks/${taskId}/attachments/${id}/url`;
    const first = await post(path, undefined, { key: "link" });
    const second = await post(path, undefined, { key: "link" });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get("Idempotency-Replayed")).toBeNull();
    expect(await storedKeys()).toEqual([]);
  });
});

describe("Idempotency-Key on POST /v1/workspaces", () => {
  it("replays the workspace created by the first request", async () => {
    const { post } = await setup();
    const first = await post("/v1/workspaces", { name: "Launch" }, { key: "launch" });
    expect(first.status).toBe(201);
    const retry = await post("/v1/workspaces", { name: "Launch" }, { key: "launch" });
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await retry.json()).toEqual(await first.json());
  });
});
