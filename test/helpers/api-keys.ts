import { expect } from "vitest";
import { apiKeys } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import type { Permission } from "../../src/lib/permissions";
import { generateApiKey, hashOpaqueToken } from "../../src/lib/tokens";
import { call, type BindingOverrides, type TestApp } from "./app";
import { db, json } from "./accounts";
import { bearer } from "./identity";

/** A key as the API answers its creation or rotation. */
export interface IssuedKey {
  id: string;
  key: string;
  prefix: string;
  scopes: Permission[];
  [member: string]: unknown;
}

/** The path of workspace `workspaceId`'s keys, or of one of them (`/rotate` and the like appended). */
export const keysPath = (workspaceId: string, rest = "") => `/v1/workspaces/${workspaceId}/api-keys${rest}`;

/** Creates a key through the API as the holder of `accessToken` (a member's token, or a key); expects 201. */
export async function issueKey(app: TestApp, credential: string, workspaceId: string, body: Record<string, unknown> = {}, bindings: BindingOverrides = {}): Promise<IssuedKey> {
  const response = await call(app, keysPath(workspaceId), json("POST", { name: "ci", scopes: ["apikey:manage"], ...body }, bearer(credential)), bindings);
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<IssuedKey>();
}

/**
 * Inserts `count` live keys into workspace `workspaceId` straight into the database (not through the
 * API), for limits; returns their ids. Their secrets are thrown away.
 */
export async function insertKeys(workspaceId: string, count: number, values: Partial<typeof apiKeys.$inferInsert> = {}): Promise<string[]> {
  const rows = await Promise.all(
    Array.from({ length: count }, async () => {
      const { key, prefix } = generateApiKey("test");
      return { id: newId("apiKey"), workspaceId, name: "bulk", prefix, secretHash: await hashOpaqueToken(key), scopes: ["project:read"], ...values };
    }),
  );
  await db.insert(apiKeys).values(rows);
  return rows.map((row) => row.id);
}

/** `key` with its character at `index` replaced by another valid one: a typo. */
export function mistype(key: string, index: number): string {
  const replacement = key[index] === "a" ? "b" : "a";
  return `${key.slice(0, index)}${replacement}${key.slice(index + 1)}`;
}
