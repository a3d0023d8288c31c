import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import { attachmentStore } from "../../../lib/attachment-store";
import type { AttachmentDeps } from "../../../services/domain/attachments";

/** The attachment services' dependencies, from the request's services, configuration and bucket. */
export function attachmentDeps(c: Context<AppEnv>): AttachmentDeps {
  return { db: c.var.services.db, clock: c.var.services.clock, store: attachmentStore(c.env.ATTACHMENTS), linkSecret: c.var.config.ATTACHMENT_URL_SECRET };
}
