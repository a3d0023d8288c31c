import { createRoute, z } from "@hono/zod-openapi";
import { NO_AUTH, problemResponse } from "../../../lib/openapi";

const ContentParams = z.object({ attachmentId: z.string().max(64).openapi({ param: { name: "attachmentId", in: "path" } }) });

// Checked by the handler, not here: whatever is wrong with a link, the answer is the same 403.
const ContentQuery = z
  .object({
    expires: z.string().max(20).openapi({ param: { name: "expires", in: "query" }, description: "When the link stops working, in seconds since the epoch." }),
    sig: z.string().max(100).openapi({ param: { name: "sig", in: "query" }, description: "The link's signature." }),
  })
  .strict();

export const attachmentContent = createRoute({
  method: "get",
  path: "/{attachmentId}/content",
  security: NO_AUTH,
  tags: ["Attachments"],
  summary: "Download an attachment through a link from `POST …/attachments/{attachmentId}/url`; no credentials needed.",
  request: { params: ContentParams, query: ContentQuery },
  responses: {
    200: {
      description: "The file, with `Content-Disposition: attachment` and the type its first bytes proved.",
      content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) } },
    },
    400: problemResponse("`expires` or `sig` is missing."),
    403: problemResponse("The link is altered or has expired."),
    404: problemResponse("The attachment is gone (deleted, or its task or workspace is)."),
  },
});

export type AttachmentContentRoute = typeof attachmentContent;
