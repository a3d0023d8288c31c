import type { Context } from "hono";
import type { AppEnv } from "../lib/app-env";
import { endpointRoute } from "../lib/matched-route";
import { MAX_ATTACHMENT_BYTES } from "../services/domain/attachment-upload";

/**
 * The endpoints whose body is a file streamed on, not JSON, by Hono method and path, with the
 * largest body each takes. The app's JSON checks leave them alone (see app.ts); each requires
 * Content-Length, checks the type itself and counts the bytes as they pass.
 */
const STREAMED_BODIES: ReadonlyMap<string, number> = new Map([["POST /v1/workspaces/:workspaceId/tasks/:taskId/attachments", MAX_ATTACHMENT_BYTES]]);

/** The body limit of the request's endpoint when it streams its body, else undefined. */
export function streamedBodyLimit(c: Context<AppEnv>): number | undefined {
  const route = endpointRoute(c);
  return route && STREAMED_BODIES.get(`${route.method} ${route.path}`);
}
