import { createRouter } from "../../../lib/create-router";
import * as handlers from "./content.handlers";
import * as routes from "./content.routes";

/**
 * `/v1/attachments`: attachments' files, downloaded through signed links. No credentials: the link's
 * signature is the authorization (src/lib/signed-urls.ts).
 */
export const attachments = createRouter();
attachments.openapi(routes.attachmentContent, handlers.attachmentContent);
