import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../helpers/openapi-document";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { expectStatus } from "../workspaces/requests";
import { deliveriesOf, ed25519Pair, githubHeaders, hookSetting, standardHeaders, standardV1aHeaders, stripeHeaders } from "./helpers";

const push = JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "acme/web" }, commits: [{ id: "abc1234def", message: "Fix the login" }] });
const seconds = (ms: number) => Math.floor(ms / 1000);
const FIVE_MINUTES = 300;

describe("receiving GitHub webhooks", () => {
  it("stores a delivery signed by @octokit/webhooks-methods, queues it and acknowledges it", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    expect(source).toMatchObject({ kind: "github", url: `/v1/hooks/${source.id}`, secret: expect.stringMatching(/^whsec_/) });
    const headers = await githubHeaders(source.secret!, push, "push", "d-1");
    expect(await expectStatus(await setting.deliver(source.url, push, headers), 200)).toEqual({ duplicate: false });
    const [stored] = await deliveriesOf(source.id);
    expect(stored).toMatchObject({ deliveryId: "d-1", eventType: "push", status: "received", attempts: 0, workspaceId: setting.workspaceId, payload: JSON.parse(push) });
    expect(setting.queued()).toEqual([stored!.id]);
  });

  it.each([
    ["a signature under another secret", async (secret: string) => githubHeaders(`${secret}x`, push)],
    ["no signature", async (secret: string) => ({ ...(await githubHeaders(secret, push)), "X-Hub-Signature-256": "" })],
    ["a body changed after signing", async (secret: string) => githubHeaders(secret, push.replace("login", "logout"))],
  ])("refuses %s with 401 and stores nothing", async (_, headersFor) => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    await expectProblem(await setting.deliver(source.url, push, await headersFor(source.secret!)), { status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    expect(await deliveriesOf(source.id)).toEqual([]);
    expect(setting.queued()).toEqual([]);
  });

  it("refuses a signature header not in GitHub's form with 400", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    const headers = { ...(await githubHeaders(source.secret!, push)), "X-Hub-Signature-256": "sha1=abc" };
    await expectProblem(await setting.deliver(source.url, push, headers), { status: 400, code: "WEBHOOK_MALFORMED" });
  });

  it("answers 404 for an unknown source and for a deleted one", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    const headers = await githubHeaders(source.secret!, push);
    await expectProblem(await setting.deliver("/v1/hooks/whs_00000000000000000000000000", push, headers), { status: 404, code: "NOT_FOUND" });
    // Received once, so this isolate holds the source; deleting it must still close its URL at once.
    await expectStatus(await setting.deliver(source.url, push, await githubHeaders(source.secret!, push)), 200);
    await expectStatus(await setting.send(setting.owner, "DELETE", `${setting.sourcesPath}/${source.id}`), 204);
    await expectProblem(await setting.deliver(source.url, push, headers), { status: 404, code: "NOT_FOUND" });
  });
});

describe("the hook route", () => {
  it("is documented as public, its signature being the authorization", async () => {
    const { document } = await openApiDocument();
    const operation = document.paths["/v1/hooks/{sourceId}"]!.post!;
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "404", "413"]));
  });

  it("refuses a body over the limit before verifying it, and a payload PostgreSQL cannot store", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    const large = JSON.stringify({ padding: "x".repeat(1024 * 1024) });
    await expectProblem(await setting.deliver(source.url, large, await githubHeaders(source.secret!, large)), { status: 413, code: "PAYLOAD_TOO_LARGE" });
    const nul = JSON.stringify({ zen: "\u0000" });
    await expectProblem(await setting.deliver(source.url, nul, await githubHeaders(source.secret!, nul)), { status: 400, code: "WEBHOOK_MALFORMED" });
    expect(await deliveriesOf(source.id)).toEqual([]);
  });
});

describe("receiving Stripe webhooks", () => {
  const event = JSON.stringify({ id: "evt_1", object: "event", type: "invoice.paid", data: { object: {} } });

  it("accepts a header from stripe's own generateTestHeaderStringAsync, naming the delivery by the event", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "stripe", secret: "whsec_stripe_test_secret_0123456789" });
    expect(source.secret).toBeNull();
    const headers = await stripeHeaders("whsec_stripe_test_secret_0123456789", event, seconds(setting.api.time.clock()));
    await expectStatus(await setting.deliver(source.url, event, headers), 200);
    expect(await deliveriesOf(source.id)).toEqual([expect.objectContaining({ deliveryId: "evt_1", eventType: "invoice.paid" })]);
  });

  it.each([
    ["another secret", "whsec_another_secret_0123456789", 0, event],
    ["a timestamp six minutes old", "whsec_stripe_test_secret_0123456789", -(FIVE_MINUTES + 60), event],
    ["a timestamp six minutes ahead", "whsec_stripe_test_secret_0123456789", FIVE_MINUTES + 60, event],
    ["a changed body", "whsec_stripe_test_secret_0123456789", 0, event.replace("paid", "void")],
  ])("refuses a signature with %s with 401", async (_, secret, offset, signed) => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "stripe", secret: "whsec_stripe_test_secret_0123456789" });
    const headers = await stripeHeaders(secret, signed, seconds(setting.api.time.clock()) + offset);
    await expectProblem(await setting.deliver(source.url, event, headers), { status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    expect(await deliveriesOf(source.id)).toEqual([]);
  });

  it("refuses to create a stripe source without Stripe's whsec_ secret", async () => {
    const setting = await hookSetting();
    const response = await setting.send(setting.owner, "POST", setting.sourcesPath, { kind: "stripe", name: "Billing" });
    await expectProblem(response, { status: 400, code: "VALIDATION_FAILED" });
  });
});

describe("receiving Standard Webhooks", () => {
  const body = JSON.stringify({ type: "user.created", timestamp: "2026-11-30T10:00:00Z", data: { id: 1 } });

  it("accepts a v1 signature from the standardwebhooks library under the secret we generated", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "standard" });
    expect(source.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const headers = standardHeaders(source.secret!, body, seconds(setting.api.time.clock()), "msg_std_1");
    await expectStatus(await setting.deliver(source.url, body, headers), 200);
    expect(await deliveriesOf(source.id)).toEqual([expect.objectContaining({ deliveryId: "msg_std_1", eventType: "user.created" })]);
  });

  it.each([
    ["another secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0, body],
    ["a timestamp six minutes old", undefined, -(FIVE_MINUTES + 60), body],
    ["a timestamp six minutes ahead", undefined, FIVE_MINUTES + 60, body],
    ["a changed body", undefined, 0, body.replace("created", "deleted")],
  ])("refuses a v1 signature with %s with 401", async (_, otherSecret, offset, signed) => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "standard" });
    const headers = standardHeaders(otherSecret ?? source.secret!, signed, seconds(setting.api.time.clock()) + offset);
    await expectProblem(await setting.deliver(source.url, body, headers), { status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    expect(await deliveriesOf(source.id)).toEqual([]);
  });

  it("refuses a timestamp that is not a number with 400", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "standard" });
    const headers = { ...standardHeaders(source.secret!, body, seconds(setting.api.time.clock())), "webhook-timestamp": "yesterday" };
    await expectProblem(await setting.deliver(source.url, body, headers), { status: 400, code: "WEBHOOK_MALFORMED" });
  });

  it("accepts a v1a ed25519 signature (made with WebCrypto) for a source holding the sender's public key, and refuses a bad one", async () => {
    const setting = await hookSetting();
    const sender = await ed25519Pair();
    const source = await setting.addSource({ kind: "standard", publicKey: sender.publicKey });
    expect(source).toMatchObject({ verification: "ed25519", secret: null });
    const now = seconds(setting.api.time.clock());
    await expectStatus(await setting.deliver(source.url, body, await standardV1aHeaders(sender.privateKey, body, now, "msg_v1a")), 200);
    const stranger = await ed25519Pair();
    await expectProblem(await setting.deliver(source.url, body, await standardV1aHeaders(stranger.privateKey, body, now)), { status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    await expectProblem(await setting.deliver(source.url, body, await standardV1aHeaders(sender.privateKey, body, now - FIVE_MINUTES - 60)), { status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    const changed = await standardV1aHeaders(sender.privateKey, body, now);
    await expectProblem(await setting.deliver(source.url, body.replace("created", "deleted"), changed), { status: 401, code: "WEBHOOK_SIGNATURE_INVALID" });
    expect((await deliveriesOf(source.id)).map((row) => row.deliveryId)).toEqual(["msg_v1a"]);
  });
});

describe("duplicate deliveries", () => {
  it("stores five concurrent deliveries of one id once and acknowledges every one", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    const headers = await githubHeaders(source.secret!, push, "push", "same-delivery");
    const responses = await Promise.all(Array.from({ length: 5 }, () => setting.deliver(source.url, push, headers)));
    const answers = await Promise.all(responses.map((response) => expectStatus<{ duplicate: boolean }>(response, 200)));
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    const stored = await deliveriesOf(source.id);
    expect(stored).toHaveLength(1);
    // Every id queued is the one stored (a duplicate of a still-received delivery queues it again).
    expect(new Set(setting.queued())).toEqual(new Set([stored[0]!.id]));
  });

  it("queues a duplicate of a delivery still received again, and one of a processed delivery not at all", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    const headers = await githubHeaders(source.secret!, push);
    await setting.deliver(source.url, push, headers);
    const [id] = setting.queued();
    expect(await expectStatus(await setting.deliver(source.url, push, headers), 200)).toEqual({ duplicate: true });
    expect(setting.queued()).toEqual([id]);
    const { consume } = await import("./helpers");
    await consume([id!]);
    expect(await expectStatus(await setting.deliver(source.url, push, headers), 200)).toEqual({ duplicate: true });
    expect(setting.queued()).toEqual([]);
  });

  it("stores and acknowledges in one database round trip and one queue send once the isolate knows the source", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github" });
    const cold = await countDatabaseRoundTrips(async () => setting.deliver(source.url, push, await githubHeaders(source.secret!, push)));
    await expectStatus(cold.result, 200);
    const headers = await githubHeaders(source.secret!, push);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => setting.deliver(source.url, push, headers));
    await expectStatus(result, 200);
    expect([cold.roundTrips, roundTrips]).toEqual([2, 1]); // the source's read, then only the store
    expect(setting.queued()).toHaveLength(2);
  });
});
