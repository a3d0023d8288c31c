import { asc, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { loadConfig } from "../../../src/env";
import { auditLog, webhookDeliveries, webhookEndpoints } from "../../../src/db/schema";
import { checkEndpointUrl, MAX_WEBHOOK_ENDPOINTS } from "../../../src/services/webhooks/endpoints";
import { db, json } from "../../helpers/accounts";
import { PRODUCTION_PROVIDER_ENDPOINTS } from "../../helpers/deployed-settings";
import { call } from "../../helpers/app";
import { bearer } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { consume, insertEvent, received, receiverEndpoint, RecordingDeliveryQueue, relayTo } from "../../helpers/webhooks";
import { createWorkspace, signedInUser } from "../../helpers/workspaces";
import { expectStatus } from "../workspaces/requests";

interface Endpoint {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  failingSince: string | null;
  disabledReason: string | null;
  previousSecretExpiresAt: string | null;
  secret?: string;
}

async function workspaceWithOwner() {
  const app = createApp();
  const owner = await signedInUser();
  const workspaceId = await createWorkspace(owner);
  const path = (rest = "") => `/v1/workspaces/${workspaceId}/webhook-endpoints${rest}`;
  const send = (method: string, to: string, body?: unknown, overrides: Record<string, unknown> = {}) =>
    call(app, to, body === undefined ? { method, headers: bearer(owner.accessToken) } : json(method, body, bearer(owner.accessToken)), overrides);
  return { app, owner, workspaceId, path, send };
}

describe("webhook endpoints", () => {
  it("creates an endpoint showing its secret once, sealed in the database and never shown again", async () => {
    const { path, send } = await workspaceWithOwner();
    const response = await send("POST", path(), { url: "https://hooks.example.com/in", description: "CI", eventTypes: ["task.created", "task.created", "webhook.endpoint_disabled"] });
    const created = await expectStatus<Endpoint>(response, 201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(created).toMatchObject({ url: "https://hooks.example.com/in", eventTypes: ["task.created", "webhook.endpoint_disabled"], enabled: true, failingSince: null });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(created.secret!.slice("whsec_".length))).toHaveLength(32);

    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.id));
    expect(row!.secretSealed).toMatch(/^v1\./);
    expect(row!.secretSealed).not.toContain(created.secret!.slice(6, 20));
    const one = await expectStatus<Endpoint>(await send("GET", path(`/${created.id}`)), 200);
    const list = await expectStatus<{ endpoints: Endpoint[] }>(await send("GET", path()), 200);
    expect(one).not.toHaveProperty("secret");
    expect(list.endpoints.map((endpoint) => endpoint.id)).toEqual([created.id]);
    expect(JSON.stringify(list)).not.toContain("whsec_");
  });

  it.each([
    ["a loopback address", "https://127.0.0.1/hook"],
    ["the metadata address", "http://169.254.169.254/latest/meta-data/"],
    ["a decimal loopback", "https://2130706433/hook"],
    ["an IPv4-mapped IPv6 loopback", "https://[::ffff:127.0.0.1]/hook"],
    ["a private IPv6", "https://[fd00::1]/hook"],
    ["localhost", "https://localhost:8443/hook"],
    ["a metadata name", "http://metadata.google.internal/computeMetadata/v1/"],
    ["credentials", "https://user:pass@hooks.example.com/hook"],
    ["another scheme", "ftp://hooks.example.com/hook"],
    ["a fragment", "https://hooks.example.com/hook#part"],
    ["an overlong URL", `https://hooks.example.com/${"a".repeat(2048)}`],
  ])("refuses %s as an endpoint URL", async (_, url) => {
    const { path, send } = await workspaceWithOwner();
    await expectProblem(await send("POST", path(), { url }), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("refuses unknown event types and unknown fields", async () => {
    const { path, send } = await workspaceWithOwner();
    await expectProblem(await send("POST", path(), { url: "https://hooks.example.com/in", eventTypes: ["task.exploded"] }), { status: 400, code: "VALIDATION_FAILED" });
    await expectProblem(await send("POST", path(), { url: "https://hooks.example.com/in", secret: "whsec_mine" }), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("requires https outside development and test", () => {
    expect(() => checkEndpointUrl("http://hooks.example.com/in", "production")).toThrow();
    expect(() => checkEndpointUrl("https://hooks.example.com/in", "production")).not.toThrow();
    expect(() => checkEndpointUrl("http://hooks.example.com/in", "development")).not.toThrow();
  });

  it("resolves endpoint hosts through an https DNS resolver in production, refusing a plain http one", () => {
    const production = { ...env, ...PRODUCTION_PROVIDER_ENDPOINTS, APP_ENV: "production", NEON_HTTP_ENDPOINT: undefined, NEON_WS_PROXY: undefined, MAIL_TRANSPORT: undefined };
    const deployed = { ...production, MAIL_API_URL: "https://mail.example.test/emails", MAIL_API_KEY: "re_test", MAIL_FROM: "no-reply@example.test", METRICS_TOKEN: "a-metrics-token-of-32-characters" };
    expect(loadConfig(deployed)).toMatchObject({ ok: true, config: { WEBHOOK_DNS_RESOLVER_URL: "https://cloudflare-dns.com/dns-query" } });
    expect(loadConfig({ ...deployed, WEBHOOK_DNS_RESOLVER_URL: "http://dns.example.test/dns-query" })).toEqual({ ok: false, settings: ["WEBHOOK_DNS_RESOLVER_URL"] });
  });

  it(`allows ${MAX_WEBHOOK_ENDPOINTS} live endpoints per workspace`, async () => {
    const { path, send } = await workspaceWithOwner();
    const created = await Promise.all(Array.from({ length: MAX_WEBHOOK_ENDPOINTS + 2 }, (_, index) => send("POST", path(), { url: `https://hooks.example.com/${index}` })));
    expect(created.map((response) => response.status).sort()).toEqual([...Array(MAX_WEBHOOK_ENDPOINTS).fill(201), 409, 409]);
    const { id } = await (created.find((response) => response.status === 201)!.json() as Promise<Endpoint>);
    expect((await send("DELETE", path(`/${id}`))).status).toBe(204);
    expect((await send("POST", path(), { url: "https://hooks.example.com/again" })).status).toBe(201);
  });

  it("changes, disables, enables (clearing the failure record) and deletes an endpoint", async () => {
    const { path, send } = await workspaceWithOwner();
    const { id } = await expectStatus<Endpoint>(await send("POST", path(), { url: "https://hooks.example.com/in" }), 201);
    await db.update(webhookEndpoints).set({ failingSince: new Date(Date.now() - 3_600_000) }).where(eq(webhookEndpoints.id, id));

    const changed = await expectStatus<Endpoint>(await send("PATCH", path(`/${id}`), { url: "https://hooks.example.com/v2", eventTypes: ["comment.added"], enabled: false }), 200);
    expect(changed).toMatchObject({ url: "https://hooks.example.com/v2", eventTypes: ["comment.added"], enabled: false, disabledReason: "disabled by a member" });
    const enabled = await expectStatus<Endpoint>(await send("PATCH", path(`/${id}`), { enabled: true }), 200);
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    await expectProblem(await send("PATCH", path(`/${id}`), { url: "https://10.0.0.1/hook" }), { status: 400, code: "VALIDATION_FAILED" });

    expect((await send("DELETE", path(`/${id}`))).status).toBe(204);
    await expectProblem(await send("GET", path(`/${id}`)), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await send("DELETE", path(`/${id}`)), { status: 404, code: "NOT_FOUND" });
    expect((await expectStatus<{ endpoints: Endpoint[] }>(await send("GET", path()), 200)).endpoints).toEqual([]);
  });

  it("records who created, changed, rotated and deleted an endpoint in the workspace's audit log, never the secret, and nothing for a refused change", async () => {
    const { owner, workspaceId, path, send } = await workspaceWithOwner();
    const created = await expectStatus<Endpoint>(await send("POST", path(), { url: "https://hooks.example.com/in", eventTypes: ["task.created"] }), 201);
    await expectStatus<Endpoint>(await send("PATCH", path(`/${created.id}`), { description: "CI", enabled: false }), 200);
    const rotated = await expectStatus<Endpoint>(await send("POST", path(`/${created.id}/rotate-secret`), { overlapSeconds: 60 }), 200);
    expect((await send("DELETE", path(`/${created.id}`))).status).toBe(204);
    await expectProblem(await send("PATCH", path(`/${created.id}`), { description: "gone" }), { status: 404, code: "NOT_FOUND" });

    const audited = await db.select().from(auditLog).where(eq(auditLog.workspaceId, workspaceId)).orderBy(asc(auditLog.createdAt));
    expect(audited.map(({ action, actorId, targetType, targetId, details }) => ({ action, actorId, targetType, targetId, details }))).toEqual([
      { action: "webhook_endpoint.created", actorId: owner.id, targetType: "webhook_endpoint", targetId: created.id, details: { url: "https://hooks.example.com/in", eventTypes: ["task.created"] } },
      { action: "webhook_endpoint.updated", actorId: owner.id, targetType: "webhook_endpoint", targetId: created.id, details: { description: "CI", enabled: false } },
      { action: "webhook_endpoint.secret_rotated", actorId: owner.id, targetType: "webhook_endpoint", targetId: created.id, details: { overlapSeconds: 60 } },
      { action: "webhook_endpoint.deleted", actorId: owner.id, targetType: "webhook_endpoint", targetId: created.id, details: null },
    ]);
    expect(JSON.stringify(audited)).not.toContain(created.secret!);
    expect(JSON.stringify(audited)).not.toContain(rotated.secret!);
  });
});

describe("secret rotation", () => {
  it("signs with both secrets during the overlap, verifiable with either, and with the new one alone after it", async () => {
    const { owner, workspaceId, path, send } = await workspaceWithOwner();
    const endpoint = await receiverEndpoint(workspaceId, owner.id);
    const rotated = await expectStatus<Endpoint>(await send("POST", path(`/${endpoint.endpointId}/rotate-secret`), { overlapSeconds: 60 }), 200);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(50_000);

    const queue = new RecordingDeliveryQueue();
    await insertEvent(workspaceId);
    await insertEvent(workspaceId);
    await relayTo(queue, workspaceId);
    const [during, after] = queue.take();
    await consume([during!.body], queue);
    // Two minutes on: the overlap is over (and the timestamp is still within the verifier's tolerance).
    await consume([after!.body], queue, { clock: () => Date.now() + 120_000 });

    const [first, second] = await received(endpoint.path);
    expect(first!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(new Webhook(rotated.secret!).verify(first!.body, first!.headers)).toMatchObject({ type: "task.created" });
    expect(new Webhook(endpoint.secret).verify(first!.body, first!.headers)).toMatchObject({ type: "task.created" });
    expect(second!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(new Webhook(rotated.secret!).verify(second!.body, second!.headers)).toMatchObject({ type: "task.created" });
    expect(() => new Webhook(endpoint.secret).verify(second!.body, second!.headers)).toThrow();
  });

  it("ends the previous secret at once with an overlap of 0, and refuses an overlap over 7 days", async () => {
    const { owner, workspaceId, path, send } = await workspaceWithOwner();
    const endpoint = await receiverEndpoint(workspaceId, owner.id);
    const rotated = await expectStatus<Endpoint>(await send("POST", path(`/${endpoint.endpointId}/rotate-secret`), { overlapSeconds: 0 }), 200);
    expect(rotated.previousSecretExpiresAt).toBeNull();
    await expectProblem(await send("POST", path(`/${endpoint.endpointId}/rotate-secret`), { overlapSeconds: 7 * 86_400 + 1 }), { status: 400, code: "VALIDATION_FAILED" });
    const defaulted = await expectStatus<Endpoint>(await send("POST", path(`/${endpoint.endpointId}/rotate-secret`)), 200);
    expect(Date.parse(defaulted.previousSecretExpiresAt!) - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
  });
});

interface DeliveryLog {
  deliveries: Array<{ id: string; status: string; attempts: number; lastStatusCode: number | null; attemptLog: Array<{ attempt: number; statusCode: number | null; durationMs: number; error: string | null }> }>;
  nextCursor: string | null;
}

describe("the delivery log and manual retry", () => {
  it("lists deliveries newest first with every attempt's status, duration and error, filtered by status, a page at a time", async () => {
    const { owner, workspaceId, path, send } = await workspaceWithOwner();
    const endpoint = await receiverEndpoint(workspaceId, owner.id, { status: 500 });
    const queue = new RecordingDeliveryQueue();
    for (let index = 0; index < 3; index++) await insertEvent(workspaceId);
    await relayTo(queue, workspaceId);
    const messages = queue.take();
    await consume(messages.map((message) => message.body), queue);

    const log = await expectStatus<DeliveryLog>(await send("GET", path(`/${endpoint.endpointId}/deliveries?limit=2`)), 200);
    expect(log.deliveries).toHaveLength(2);
    expect(log.deliveries[0]).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500 });
    expect(log.deliveries[0]!.attemptLog).toEqual([{ attempt: 1, statusCode: 500, durationMs: expect.any(Number), error: "receiver answered 500", attemptedAt: expect.any(String) }]);
    const rest = await expectStatus<DeliveryLog>(await send("GET", path(`/${endpoint.endpointId}/deliveries?limit=2&cursor=${log.nextCursor}`)), 200);
    expect(rest.nextCursor).toBeNull();
    expect([...log.deliveries, ...rest.deliveries].map((delivery) => delivery.id).sort()).toEqual(messages.map((message) => message.body.deliveryId).sort());
    expect((await expectStatus<DeliveryLog>(await send("GET", path(`/${endpoint.endpointId}/deliveries?status=succeeded`)), 200)).deliveries).toEqual([]);
    await expectProblem(await send("GET", path(`/${endpoint.endpointId}/deliveries?status=lost`)), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("retries a failed delivery now on request, and records the new attempt in the log", async () => {
    const { owner, workspaceId, path, send } = await workspaceWithOwner();
    const endpoint = await receiverEndpoint(workspaceId, owner.id, { status: 500 });
    const queue = new RecordingDeliveryQueue();
    await insertEvent(workspaceId);
    await relayTo(queue, workspaceId);
    const [message] = queue.take();
    const deliveryId = message!.body.deliveryId;
    await consume([message!.body], queue);
    queue.take();
    // Give up on it, as the schedule would after the 8th attempt, and fix the receiver.
    await db.update(webhookDeliveries).set({ status: "failed", nextAttemptAt: null }).where(eq(webhookDeliveries.id, deliveryId));
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.endpointId));
    await db.update(webhookEndpoints).set({ url: row!.url.replace("/status/500/", "/status/200/") }).where(eq(webhookEndpoints.id, endpoint.endpointId));

    const retried = await send("POST", path(`/${endpoint.endpointId}/deliveries/${deliveryId}/retry`), undefined, { DELIVERY_QUEUE: queue });
    expect(await expectStatus(retried, 202)).toMatchObject({ id: deliveryId, status: "failed" });
    const [manual] = queue.take();
    expect(manual).toEqual({ body: { deliveryId, manual: true }, delaySeconds: undefined });
    // Without the manual flag, a failed delivery is not due: the message is dropped.
    await consume([{ deliveryId }], queue);
    await consume([manual!.body], queue);

    const log = await expectStatus<DeliveryLog>(await send("GET", path(`/${endpoint.endpointId}/deliveries`)), 200);
    expect(log.deliveries[0]).toMatchObject({ id: deliveryId, status: "succeeded", attempts: 2, lastStatusCode: 200 });
    expect(log.deliveries[0]!.attemptLog.map((attempt) => attempt.statusCode)).toEqual([500, 200]);

    await send("PATCH", path(`/${endpoint.endpointId}`), { enabled: false });
    await expectProblem(await send("POST", path(`/${endpoint.endpointId}/deliveries/${deliveryId}/retry`), undefined, { DELIVERY_QUEUE: queue }), { status: 409, code: "CONFLICT" });
  });

  it("answers 404 to another workspace's owner asking for an endpoint through their own workspace, and changes nothing", async () => {
    const victim = await workspaceWithOwner();
    const endpoint = await receiverEndpoint(victim.workspaceId, victim.owner.id);
    const mallory = await workspaceWithOwner();
    for (const rest of [`/${endpoint.endpointId}`, `/${endpoint.endpointId}/deliveries`]) {
      await expectProblem(await mallory.send("GET", mallory.path(rest)), { status: 404, code: "NOT_FOUND" });
    }
    await expectProblem(await mallory.send("PATCH", mallory.path(`/${endpoint.endpointId}`), { enabled: false }), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await mallory.send("POST", mallory.path(`/${endpoint.endpointId}/rotate-secret`)), { status: 404, code: "NOT_FOUND" });
    await expectProblem(await mallory.send("DELETE", mallory.path(`/${endpoint.endpointId}`)), { status: 404, code: "NOT_FOUND" });
    expect((await expectStatus<Endpoint>(await victim.send("GET", victim.path(`/${endpoint.endpointId}`)), 200)).enabled).toBe(true);
  });
});

describe("database round trips", () => {
  it("are one per endpoint, plus the membership check", async () => {
    const { owner, workspaceId, path, send } = await workspaceWithOwner();
    const endpoint = await receiverEndpoint(workspaceId, owner.id, { status: 500 });
    const queue = new RecordingDeliveryQueue();
    await insertEvent(workspaceId);
    await relayTo(queue, workspaceId);
    const [message] = queue.take();
    await send("GET", path());
    const cases: Array<[string, () => Promise<Response>]> = [
      ["POST create", () => send("POST", path(), { url: "https://hooks.example.com/counted" })],
      ["GET list", () => send("GET", path())],
      ["GET one", () => send("GET", path(`/${endpoint.endpointId}`))],
      ["PATCH", () => send("PATCH", path(`/${endpoint.endpointId}`), { description: "counted" })],
      ["POST rotate-secret", () => send("POST", path(`/${endpoint.endpointId}/rotate-secret`))],
      ["GET deliveries", () => send("GET", path(`/${endpoint.endpointId}/deliveries`))],
      ["POST retry", () => send("POST", path(`/${endpoint.endpointId}/deliveries/${message!.body.deliveryId}/retry`), undefined, { DELIVERY_QUEUE: queue })],
      ["DELETE", () => send("DELETE", path(`/${endpoint.endpointId}`))],
    ];
    for (const [name, request] of cases) {
      const { result, roundTrips } = await countDatabaseRoundTrips(request);
      expect(result.status, name).toBeLessThan(300);
      expect(roundTrips, name).toBe(2);
    }
  });

  it("are two per consumer batch (one read, one write), whatever its size", async () => {
    const { owner, workspaceId } = await workspaceWithOwner();
    await Promise.all([receiverEndpoint(workspaceId, owner.id, { status: 500 }), receiverEndpoint(workspaceId, owner.id)]);
    const queue = new RecordingDeliveryQueue();
    for (let index = 0; index < 5; index++) await insertEvent(workspaceId);
    await relayTo(queue, workspaceId);
    const messages = queue.take();
    expect(messages).toHaveLength(10);
    const { roundTrips } = await countDatabaseRoundTrips(() => consume(messages.map((message) => message.body), queue));
    expect(roundTrips).toBe(2);
  });
});
