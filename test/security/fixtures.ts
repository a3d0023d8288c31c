import { env } from "cloudflare:test";
import { apiKeys, attachments, comments, events, projects, tasks, webhookDeliveries, webhookEndpoints, workspaceInvitations, workspaceRoles } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import type { Permission } from "../../src/lib/permissions";
import { sealSecret } from "../../src/lib/secret-box";
import { signAttachmentLink } from "../../src/lib/signed-urls";
import { createOpaqueToken, generateApiKey, hashOpaqueToken } from "../../src/lib/tokens";
import { db } from "../helpers/accounts";
import { uniqueEmail } from "../helpers/identity";

// Objects the route table's cases act on, inserted straight into the database (not through the API).

/** A live API key of `workspaceId` with `scopes`: its id and plain text. */
export async function insertKey(workspaceId: string, scopes: readonly Permission[]): Promise<{ id: string; key: string }> {
  const { key, prefix } = generateApiKey("test");
  const id = newId("apiKey");
  await db.insert(apiKeys).values({ id, workspaceId, name: "route table", prefix, secretHash: await hashOpaqueToken(key), scopes: [...scopes] });
  return { id, key };
}

/** A live API key of `workspaceId` with `scopes`, as its plain text. */
export async function issueKey(workspaceId: string, scopes: readonly Permission[]): Promise<string> {
  return (await insertKey(workspaceId, scopes)).key;
}

/** A custom role of `workspaceId` granting `permissions`; its id. */
export async function insertRole(workspaceId: string, permissions: readonly Permission[]): Promise<string> {
  const id = newId("role");
  await db.insert(workspaceRoles).values({ id, workspaceId, name: `Role ${id.slice(-6)}`, permissions: [...permissions] });
  return id;
}

/** A pending invitation of `workspaceId` to custom role `customRoleId`, last mailed two minutes ago (so it may be resent); its id. */
export async function insertInvitation(workspaceId: string, customRoleId: string): Promise<string> {
  const id = newId("invitation");
  const now = Date.now();
  await db.insert(workspaceInvitations).values({
    id,
    workspaceId,
    email: uniqueEmail("invited"),
    customRoleId,
    tokenHash: await hashOpaqueToken(createOpaqueToken("invitation")),
    lastSentAt: new Date(now - 120_000),
    createdAt: new Date(now - 120_000),
    expiresAt: new Date(now + 86_400_000),
  });
  return id;
}

/** A project key no other case uses: `K` and seven letters. */
export function randomProjectKey(): string {
  const letters = crypto.getRandomValues(new Uint8Array(7));
  return `K${Array.from(letters, (byte) => String.fromCharCode(65 + (byte % 26))).join("")}`;
}

/** A live project of `workspaceId` (deleted when `deleted`), made by `createdBy`; its id. */
export async function insertProject(workspaceId: string, createdBy: string, options: { deleted?: boolean } = {}): Promise<string> {
  const id = newId("project");
  await db.insert(projects).values({ id, workspaceId, key: randomProjectKey(), name: "Route table", createdBy, updatedBy: createdBy, deletedAt: options.deleted ? new Date() : null });
  return id;
}

/** A task in a new live project of `workspaceId` (the task deleted when `deleted`); its id. */
export async function insertTask(workspaceId: string, createdBy: string, options: { deleted?: boolean } = {}): Promise<string> {
  const projectId = await insertProject(workspaceId, createdBy);
  const id = newId("task");
  await db.insert(tasks).values({ id, workspaceId, projectId, number: 1, title: "Route table", position: 1024, createdBy, updatedBy: createdBy, deletedAt: options.deleted ? new Date() : null });
  return id;
}

/** A comment by `authorId` on task `taskId` of `workspaceId`, deleted when `deleted`; its id. */
export async function insertComment(workspaceId: string, taskId: string, authorId: string, { deleted = false } = {}): Promise<string> {
  const id = newId("comment");
  await db.insert(comments).values({ id, workspaceId, taskId, body: "A comment", createdBy: authorId, updatedBy: authorId, deletedAt: deleted ? new Date() : null });
  return id;
}

/** A ready attachment by `createdBy` on task `taskId` of `workspaceId`, its file in R2 when `stored`, deleted when `deleted`; its id. */
export async function insertAttachment(workspaceId: string, taskId: string, createdBy: string, { stored = false, deleted = false } = {}): Promise<{ id: string }> {
  const id = newId("attachment");
  const objectKey = `${workspaceId}/${id}`;
  await db.insert(attachments).values({ id, workspaceId, taskId, objectKey, fileName: "case.txt", contentType: "text/plain", size: 5, status: "ready", createdBy, updatedBy: createdBy, deletedAt: deleted ? new Date() : null });
  if (stored) await env.ATTACHMENTS.put(objectKey, "hello");
  return { id };
}

/** A download link for attachment `attachmentId`, valid five minutes, signed with the test bindings' key. */
export async function signedLinkOf(attachmentId: string): Promise<string> {
  const expires = Math.floor(Date.now() / 1000) + 300;
  return `/v1/attachments/${attachmentId}/content?expires=${expires}&sig=${await signAttachmentLink(env.ATTACHMENT_URL_SECRET!, attachmentId, expires)}`;
}

/** A live webhook endpoint of `workspaceId` (its secret sealed under the run's key), and one delivery to it of an event of the workspace; their ids. */
export async function insertWebhookDelivery(workspaceId: string, createdBy: string): Promise<{ endpointId: string; deliveryId: string }> {
  const endpointId = newId("webhookEndpoint");
  const eventId = newId("event");
  const deliveryId = newId("webhookDelivery");
  const secretSealed = await sealSecret(env.WEBHOOK_SECRETS_KEY!, endpointId, "whsec_cm91dGUgdGFibGUgc2VjcmV0IG9mIDI0Ynl0ZXM=");
  await db.batch([
    db.insert(webhookEndpoints).values({ id: endpointId, workspaceId, url: "https://hooks.example.com/route-table", secretSealed, createdBy, updatedBy: createdBy }),
    db.insert(events).values({ id: eventId, workspaceId, type: "task.created", subjectType: "task", subjectId: "tsk_route_table", payload: {} }),
    db.insert(webhookDeliveries).values({ id: deliveryId, workspaceId, endpointId, eventId, eventType: "task.created", status: "failed", attempts: 8 }),
  ]);
  return { endpointId, deliveryId };
}
