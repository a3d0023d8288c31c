import { attachmentStore } from "../../../lib/attachment-store";
import { attachmentDisposition } from "../../../lib/content-disposition";
import type { AppRouteHandler } from "../../../lib/create-router";
import { ApiError } from "../../../lib/errors";
import { isId } from "../../../lib/ids";
import { verifyAttachmentLink } from "../../../lib/signed-urls";
import { attachmentContent as content } from "../../../services/domain/attachments";
import type { AttachmentContentRoute } from "./content.routes";

export const attachmentContent: AppRouteHandler<AttachmentContentRoute> = async (c) => {
  const { attachmentId } = c.req.valid("param");
  const { expires, sig } = c.req.valid("query");
  const expiry = /^[1-9]\d{0,11}$/.test(expires) ? Number(expires) : NaN;
  const valid = isId("attachment", attachmentId) && Number.isSafeInteger(expiry) && (await verifyAttachmentLink(c.var.config.ATTACHMENT_URL_SECRET, attachmentId, expiry, sig, c.var.services.clock()));
  if (!valid) throw new ApiError("FORBIDDEN", { detail: "attachmentLink" });
  const file = await content({ db: c.var.services.db, store: attachmentStore(c.env.ATTACHMENTS) }, attachmentId);
  if (!file) throw new ApiError("NOT_FOUND");
  // The type the first bytes proved, never sniffed again by the browser, and never shown in a page of ours.
  return c.body(file.body, 200, {
    "Content-Type": file.contentType,
    "Content-Length": String(file.size),
    "Content-Disposition": attachmentDisposition(file.fileName),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
  });
};
