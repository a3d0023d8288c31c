import { inboundDeliveries, webhookSources } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { sealSecret } from "../../src/lib/secret-box";
import { db } from "../helpers/accounts";
import { testConfig } from "../helpers/identity";

// Inbound webhook objects the route table's cases act on, inserted straight into the database.

/** A live GitHub source of `workspaceId` made by `createdBy`; its id. */
export async function insertWebhookSource(workspaceId: string, createdBy: string): Promise<string> {
  const id = newId("webhookSource");
  const secretSealed = await sealSecret(testConfig().WEBHOOK_SECRETS_KEY, id, "route-table-secret-0123456789");
  await db.insert(webhookSources).values({ id, workspaceId, kind: "github", name: "Route table", secretSealed, createdBy, updatedBy: createdBy });
  return id;
}

/** A processed delivery of a new source of `workspaceId`; the source's and the delivery's ids. */
export async function insertInboundDelivery(workspaceId: string, createdBy: string): Promise<{ sourceId: string; id: string }> {
  const sourceId = await insertWebhookSource(workspaceId, createdBy);
  const id = newId("inboundDelivery");
  await db.insert(inboundDeliveries).values({ id, workspaceId, sourceId, deliveryId: crypto.randomUUID(), eventType: "ping", payload: {}, status: "processed", attempts: 1 });
  return { sourceId, id };
}
