import { createExecutionContext, createMessageBatch, env, getQueueResult, type QueueResult } from "cloudflare:test";
import { sign as signGitHub } from "@octokit/webhooks-methods";
import { and, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { comments, events, inboundDeliveries, projects, tasks } from "../../../src/db/schema";
import { inboundConsumer, type InboundConsumerOptions } from "../../../src/jobs/inbound-deliveries";
import { newId } from "../../../src/lib/ids";
import { createApp } from "../../../src/app";
import { db, json } from "../../helpers/accounts";
import { bearer } from "../../helpers/identity";
import { call } from "../../helpers/app";
import { RecordingQueue } from "../../helpers/mail";
import { createWorkspace } from "../../helpers/workspaces";
import { expectStatus, userAt, workspaceApi, type Caller } from "../workspaces/requests";

export interface CreatedSource {
  id: string;
  kind: string;
  url: string;
  secret: string | null;
  verification: string;
}

/** A workspace with an owner, an admin and a member, an app on a clock the test moves, and a queue that records what the app sends. */
export async function hookSetting() {
  const api = workspaceApi();
  // The senders' isolate: the same clock, an app of its own.
  const hookApp = createApp({ clock: api.time.clock });
  const [owner, admin, member] = [await userAt(api.time), await userAt(api.time), await userAt(api.time)];
  const workspaceId = await createWorkspace(owner, [
    { user: admin, role: "admin" },
    { user: member, role: "member" },
  ]);
  const queue = new RecordingQueue();
  const sourcesPath = `/v1/workspaces/${workspaceId}/webhook-sources`;
  return {
    api,
    owner,
    admin,
    member,
    workspaceId,
    queue,
    sourcesPath,
    /** A request as `caller`, INBOUND_QUEUE recorded. */
    send(caller: Caller, method: string, path: string, body?: unknown): Promise<Response> {
      const headers = bearer(caller.accessToken);
      return call(hookApp, path, body === undefined ? { method, headers } : json(method, body, headers), { INBOUND_QUEUE: queue });
    },
    /** Creates a source as the owner through the API. */
    async addSource(body: Record<string, unknown>, caller: Caller = owner): Promise<CreatedSource> {
      return expectStatus<CreatedSource>(await api.send(caller, "POST", sourcesPath, { name: `${body.kind} source`, ...body }), 201);
    },
    /** Posts `body` to the hook URL `url` with `headers`, as the sender does: no credentials. */
    deliver(url: string, body: string, headers: Record<string, string>): Promise<Response> {
      return call(hookApp, url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }, { INBOUND_QUEUE: queue });
    },
    /** The ids the app sent to INBOUND_QUEUE since the last call. */
    queued(): string[] {
      return (queue.sent.splice(0) as Array<{ id: string }>).map((message) => message.id);
    },
  };
}

/** GitHub's headers for `body`, signed with @octokit/webhooks-methods' own `sign`. */
export async function githubHeaders(secret: string, body: string, event = "push", delivery = crypto.randomUUID()): Promise<Record<string, string>> {
  return { "X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": await signGitHub(secret, body) };
}

/** Stripe's header for `body` at `seconds`, made with its own test helper on WebCrypto (no nodejs_compat needed). */
export async function stripeHeaders(secret: string, body: string, seconds: number): Promise<Record<string, string>> {
  const stripe = new Stripe("sk_test_inbound", { httpClient: Stripe.createFetchHttpClient() });
  const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret, timestamp: seconds, cryptoProvider: Stripe.createSubtleCryptoProvider() });
  return { "Stripe-Signature": header };
}

/** Standard Webhooks' headers for `body` at `seconds`, signed (v1) by the standardwebhooks library's `Webhook.sign`. */
export function standardHeaders(secret: string, body: string, seconds: number, id = `msg_${crypto.randomUUID()}`): Record<string, string> {
  const signature = new Webhook(secret).sign(id, new Date(seconds * 1000), body);
  return { "webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": signature };
}

/**
 * Standard Webhooks' v1a (ed25519) headers: the standardwebhooks library signs v1 only, so this signs
 * `<id>.<timestamp>.<body>` with WebCrypto's Ed25519, as the specification describes.
 */
export async function standardV1aHeaders(privateKey: CryptoKey, body: string, seconds: number, id = `msg_${crypto.randomUUID()}`): Promise<Record<string, string>> {
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, new TextEncoder().encode(`${id}.${seconds}.${body}`)));
  return { "webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": `v1a,${btoa(String.fromCharCode(...signature))}` };
}

/** An ed25519 key pair, its public key as Standard Webhooks writes it (`whpk_<base64>`). */
export async function ed25519Pair(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { privateKey: pair.privateKey, publicKey: `whpk_${btoa(String.fromCharCode(...raw))}` };
}

/** A live project of `workspaceId` with key `key` and task number 42 in it; the task's id. */
export async function taskNamed(workspaceId: string, createdBy: string, key: string, number = 42): Promise<string> {
  const projectId = newId("project");
  const id = newId("task");
  await db.batch([
    db.insert(projects).values({ id: projectId, workspaceId, key, name: "Web", nextTaskNumber: number + 1, createdBy, updatedBy: createdBy }),
    db.insert(tasks).values({ id, workspaceId, projectId, number, title: "Fix the login", position: 1, createdBy, updatedBy: createdBy }),
  ]);
  return id;
}

/** A project key no other test uses: `W` and five letters. */
export function uniqueProjectKey(): string {
  return `W${Array.from(crypto.getRandomValues(new Uint8Array(5)), (byte) => String.fromCharCode(65 + (byte % 26))).join("")}`;
}

export const deliveriesOf = (sourceId: string) => db.select().from(inboundDeliveries).where(eq(inboundDeliveries.sourceId, sourceId));
export const commentsOn = (taskId: string) => db.select().from(comments).where(eq(comments.taskId, taskId));
export const commentEvents = (workspaceId: string, commentId: string) =>
  db.select().from(events).where(and(eq(events.workspaceId, workspaceId), eq(events.subjectId, commentId)));

/**
 * Hands messages naming stored deliveries `ids` to the INBOUND_QUEUE consumer as one batch, the way
 * the queue delivers them; resolves with what it acknowledged and retried, and the retries' delays.
 */
export async function consume(ids: readonly string[], options: InboundConsumerOptions & { attempts?: number; bindings?: Record<string, unknown> } = {}): Promise<QueueResult & { retryDelays: Array<number | undefined> }> {
  const messages = ids.map((id) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: options.attempts ?? 1, body: { id } }));
  const batch = createMessageBatch("edge-backend-inbound-local", messages);
  const retryDelays: Array<number | undefined> = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", { value: (retryOptions?: QueueRetryOptions) => (retryDelays.push(retryOptions?.delaySeconds), retry(retryOptions)) });
  }
  const ctx = createExecutionContext();
  await inboundConsumer(options)(batch, { ...env, EVENTS_QUEUE: new RecordingQueue(), ...options.bindings } as Env, ctx);
  return { ...(await getQueueResult(batch, ctx)), retryDelays };
}
