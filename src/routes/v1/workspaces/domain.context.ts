import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import { versionTag } from "../../../lib/http/version-tags";
import { cursorSigner, type CursorSigner } from "../../../lib/signed-cursor";
import type { DomainDeps } from "../../../services/domain/domain-deps";
import type { Versioned } from "../../../services/domain/resource-types";

/** The project and task services' dependencies, from the request's services. */
export function domainDeps(c: Context<AppEnv>): DomainDeps {
  const { db, clock, cache } = c.var.services;
  return { db, clock, cache };
}

/** The signer of list cursors, its key derived from the JWT signing key set (no secret of its own). */
export function listCursors(c: Context<AppEnv>): Promise<CursorSigner> {
  return cursorSigner(c.var.config.JWT_SIGNING_KEYS);
}

/** Sets the resource's ETag on the answer and hands back its body. */
export function tagged<T extends { id: string }>(c: Context<AppEnv>, resource: Versioned<T>): T {
  c.header("ETag", versionTag(resource.value.id, resource.version));
  return resource.value;
}
