import { sql } from "drizzle-orm";
import type { CursorSigner } from "../../lib/signed-cursor";
import type { WorkspaceAccess } from "../workspaces/access";
import { attachmentJson, type AttachmentJson } from "./attachments";
import { commentJson, type CommentJson } from "./comments";
import type { DomainDeps, DomainPage } from "./domain-deps";
import { jsonOf } from "./json-of";
import { deletedPlan, page } from "./list-pages";

// The workspace's deleted comments and attachments, for those holding `trash:read` (owners and
// admins), as the lists of deleted projects and tasks are: most recently deleted first.

type Deleted<T> = T & { deletedAt: string };
type TrashQuery = { cursor?: string; limit: number };

/** When row `r` was deleted, to extend what the API shows of it. */
const deletedAt = jsonOf("r", {}, { deletedAt: "deleted_at" });

/**
 * A page of the workspace's deleted comments, also those deleted with their task: one round trip,
 * through `comments_workspace_deleted_idx`.
 */
export async function listDeletedComments(deps: Pick<DomainDeps, "db">, access: WorkspaceAccess, query: TrashQuery, signer: CursorSigner): Promise<DomainPage<Deleted<CommentJson>>> {
  return page(deps, await deletedCommentsPlan(access, query, signer), query.limit, signer);
}

export function deletedCommentsPlan(access: WorkspaceAccess, query: TrashQuery, signer: CursorSigner) {
  return deletedPlan("comments", access, query, signer, sql`${commentJson("r")} || ${deletedAt}`);
}

/**
 * A page of the workspace's deleted attachments that can still be restored (uploaded whole, file not
 * purged yet): one round trip, through `attachments_workspace_deleted_idx`.
 */
export async function listDeletedAttachments(deps: Pick<DomainDeps, "db">, access: WorkspaceAccess, query: TrashQuery, signer: CursorSigner): Promise<DomainPage<Deleted<AttachmentJson>>> {
  return page(deps, await deletedAttachmentsPlan(access, query, signer), query.limit, signer);
}

export function deletedAttachmentsPlan(access: WorkspaceAccess, query: TrashQuery, signer: CursorSigner) {
  const restorable = sql`r.purged_at is null and r.status = 'ready'`;
  return deletedPlan("attachments", access, query, signer, sql`${attachmentJson("r")} || ${deletedAt}`, restorable);
}
