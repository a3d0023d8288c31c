import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, inboundDeliveries } from "../../src/db/schema";
import { inboundRetryDelaySeconds } from "../../src/jobs/inbound-deliveries";
import { MAX_RETRIES } from "../../src/jobs/queue-kinds";
import type { Sample } from "../../src/lib/metrics";
import { db } from "../helpers/accounts";
import { countDatabaseRoundTrips } from "../helpers/round-trips";
import { allowConsoleError } from "../helpers/expected-noise";
import { expectProblem } from "../helpers/problem";
import { commentEvents, commentsOn, consume, deliveriesOf, githubHeaders, hookSetting, standardHeaders, taskNamed, uniqueProjectKey } from "../routes/inbound-webhooks/helpers";
import { expectStatus } from "../routes/workspaces/requests";

/** A workspace with a GitHub source, task `<key>-42`, and a push naming it delivered and stored (not yet processed). */
async function deliveredPush(message = (key: string) => `Fix the login (${key}-42)\n\nAlso mentions ${key}-7, which does not exist.`) {
  const setting = await hookSetting();
  const key = uniqueProjectKey();
  const taskId = await taskNamed(setting.workspaceId, setting.owner.id, key);
  const source = await setting.addSource({ kind: "github" });
  const body = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "acme/web" }, commits: [{ id: "abc1234def", message: message(key) }] });
  await expectStatus(await setting.deliver(source.url, body, await githubHeaders(source.secret!, body)), 200);
  const [id] = setting.queued();
  return { setting, key, taskId, source, id: id! };
}

/** A stand-in for the METRICS_AGGREGATOR namespace that records what each `add` carried. */
function recordingAggregator() {
  const added: Sample[][] = [];
  const namespace = { idFromName: (name: string) => name, get: () => ({ add: async (samples: Sample[]) => void added.push(samples) }) };
  return { added, bindings: { METRICS_AGGREGATOR: namespace } };
}

const deliveryRow = async (id: string) => (await db.select().from(inboundDeliveries).where(eq(inboundDeliveries.id, id)))[0]!;

describe("the INBOUND_QUEUE consumer", () => {
  it("comments on the task a GitHub push names, as the source, with its audit row and comment.added event, and marks the delivery processed", async () => {
    const { setting, key, taskId, source, id } = await deliveredPush();
    const { result, roundTrips } = await countDatabaseRoundTrips(() => consume([id]));
    expect(result.explicitAcks).toHaveLength(1);
    expect(roundTrips).toBe(2); // the delivery read, then the claim with the comments and their records
    const [comment] = await commentsOn(taskId);
    expect(comment).toMatchObject({ workspaceId: setting.workspaceId, createdBy: source.id, body: expect.stringContaining(`abc1234 Fix the login (${key}-42)`) });
    expect(comment!.body).toContain("Mentioned in a push to acme/web (main)");
    const [event] = await commentEvents(setting.workspaceId, comment!.id);
    expect(event).toMatchObject({ type: "comment.added", subjectType: "comment", actorId: source.id, payload: expect.objectContaining({ id: comment!.id, taskId, createdBy: source.id }) });
    const audit = await db.select().from(auditLog).where(eq(auditLog.targetId, comment!.id));
    expect(audit).toEqual([expect.objectContaining({ action: "comment.added", actorId: source.id, workspaceId: setting.workspaceId })]);
    expect(await deliveryRow(id)).toMatchObject({ status: "processed", attempts: 1, lastError: null, processedAt: expect.any(Date) });
  });

  it("comments on the task a pull request's title names", async () => {
    const setting = await hookSetting();
    const key = uniqueProjectKey();
    const taskId = await taskNamed(setting.workspaceId, setting.owner.id, key);
    const source = await setting.addSource({ kind: "github" });
    const body = JSON.stringify({ action: "opened", repository: { full_name: "acme/web" }, pull_request: { number: 9, title: `${key}-42: new login`, body: null } });
    await setting.deliver(source.url, body, await githubHeaders(source.secret!, body, "pull_request"));
    await consume(setting.queued());
    expect(await commentsOn(taskId)).toEqual([expect.objectContaining({ body: `Mentioned in pull request #9 of acme/web (opened): ${key}-42: new login` })]);
  });

  it("makes one comment of five concurrent hand-overs of the same delivery", async () => {
    const { taskId, id } = await deliveredPush();
    const results = await Promise.all(Array.from({ length: 5 }, () => consume([id])));
    expect(results.every((result) => result.explicitAcks.length === 1)).toBe(true);
    expect(await commentsOn(taskId)).toHaveLength(1);
    expect(await deliveryRow(id)).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("marks Stripe and Standard deliveries processed without any effect", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "standard" });
    const body = JSON.stringify({ type: "invoice.paid", data: {} });
    await setting.deliver(source.url, body, standardHeaders(source.secret!, body, Math.floor(setting.api.time.clock() / 1000)));
    const [id] = setting.queued();
    await consume([id!]);
    expect(await deliveryRow(id!)).toMatchObject({ status: "processed", attempts: 1 });
  });

  it("records a failed attempt and retries it later each time, until the last attempt leaves it failed for the dead-letter queue", async () => {
    allowConsoleError(/inbound delivery failed; to the dead-letter queue/, "the effect fails on purpose until the retries are spent");
    const { taskId, id } = await deliveredPush();
    const effect = () => {
      throw new Error("the effect broke");
    };
    const metrics = recordingAggregator();
    const first = await consume([id], { effect, bindings: metrics.bindings });
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryDelays).toEqual([30]);
    expect(await deliveryRow(id)).toMatchObject({ status: "received", attempts: 1, lastError: "Error: the effect broke" });
    const third = await consume([id], { effect, attempts: 3 });
    expect(third.retryDelays).toEqual([120]);
    const last = await consume([id], { effect, attempts: MAX_RETRIES.inbound + 1, bindings: metrics.bindings });
    expect(last.retryMessages).toHaveLength(1);
    expect(await deliveryRow(id)).toMatchObject({ status: "failed", attempts: 3 });
    const series = (outcome: string) => `background_jobs_total{kind="inbound",outcome="${outcome}"}`;
    expect(metrics.added.map((samples) => Object.fromEntries(samples))).toEqual([{ [series("retried")]: 1 }, { [series("failed")]: 1 }]);
    expect(await commentsOn(taskId)).toEqual([]);
    expect([1, 2, 3, 8, 9].map(inboundRetryDelaySeconds)).toEqual([30, 60, 120, 3600, 3600]);
  });
});

describe("the delivery log and replay", () => {
  it("lists a source's deliveries newest first, filtered by status, to readers of the workspace", async () => {
    const { setting, source, id } = await deliveredPush();
    const second = JSON.stringify({ zen: "Keep it simple." });
    setting.api.time.advance(1000);
    await setting.deliver(source.url, second, await githubHeaders(source.secret!, second, "ping"));
    const [secondId] = setting.queued();
    await consume([id]);
    const path = `${setting.sourcesPath}/${source.id}/deliveries`;
    const all = await expectStatus<{ deliveries: Array<{ id: string; status: string }> }>(await setting.send(setting.admin, "GET", path), 200);
    expect(all.deliveries.map((delivery) => delivery.id)).toEqual([secondId, id]);
    const processed = await expectStatus<{ deliveries: Array<{ id: string; status: string }> }>(await setting.send(setting.admin, "GET", `${path}?status=processed`), 200);
    expect(processed.deliveries).toEqual([expect.objectContaining({ id, status: "processed", eventType: "push", attempts: 1 })]);
  });

  it("lets an admin replay a delivery, which is queued again and adds no second comment; a member gets 403, another workspace 404", async () => {
    const { setting, taskId, source, id } = await deliveredPush();
    await consume([id]);
    const replay = `${setting.sourcesPath}/${source.id}/deliveries/${id}/replay`;
    await expectProblem(await setting.send(setting.member, "POST", replay), { status: 403, code: "FORBIDDEN" });
    const stranger = await hookSetting();
    await expectProblem(await stranger.send(stranger.owner, "POST", `${stranger.sourcesPath}/${source.id}/deliveries/${id}/replay`), { status: 404, code: "NOT_FOUND" });
    await setting.send(setting.admin, "GET", setting.sourcesPath); // the admin's session, checked once per isolate
    const { result: replayed, roundTrips } = await countDatabaseRoundTrips(() => setting.send(setting.admin, "POST", replay));
    expect(await expectStatus(replayed, 202)).toMatchObject({ id, status: "received" });
    expect(roundTrips).toBe(2); // the caller's access, then the reset with its audit row
    expect(setting.queued()).toEqual([id]);
    const again = await consume([id]);
    expect(again.explicitAcks).toHaveLength(1);
    expect(await deliveryRow(id)).toMatchObject({ status: "processed", attempts: 2 });
    expect(await commentsOn(taskId)).toHaveLength(1);
    const [audit] = await db.select().from(auditLog).where(eq(auditLog.targetId, id));
    expect(audit).toMatchObject({ action: "inbound_delivery.replayed", actorId: setting.admin.id, workspaceId: setting.workspaceId, details: { sourceId: source.id } });
  });

  it("shows the source as the actor of its comments in the workspace's audit log", async () => {
    const { setting, source, id } = await deliveredPush();
    await consume([id]);
    const log = await expectStatus<{ entries: Array<{ action: string; actor: unknown }> }>(await setting.send(setting.owner, "GET", `/v1/workspaces/${setting.workspaceId}/audit-log?actor=${source.id}`), 200);
    expect(log.entries).toEqual([expect.objectContaining({ action: "comment.added", actor: { type: "webhookSource", id: source.id } })]);
  });

  it("keeps the log of a deleted source out of reach", async () => {
    const { setting, source } = await deliveredPush();
    await expectStatus(await setting.send(setting.owner, "DELETE", `${setting.sourcesPath}/${source.id}`), 204);
    await expectProblem(await setting.send(setting.owner, "GET", `${setting.sourcesPath}/${source.id}/deliveries`), { status: 404, code: "NOT_FOUND" });
    expect(await deliveriesOf(source.id)).toHaveLength(1);
  });
});
