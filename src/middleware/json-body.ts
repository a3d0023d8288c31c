import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { endpointRoute } from "../lib/matched-route";

export interface JsonBodyOptions {
  methods?: readonly string[];
  /** Whether the request's endpoint takes a body of another type (an upload) and checks it itself. */
  except?: (c: Context<AppEnv>) => boolean;
}

/** `application/json` or any `+json` type, optionally with parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * Answers 415 UNSUPPORTED_MEDIA_TYPE when a body-carrying request to an existing endpoint is not
 * JSON (UTF-8, the only charset JSON allows). Unknown routes fall through to 404/405 instead.
 */
export function jsonBody({ methods = ["POST", "PUT", "PATCH"], except = () => false }: JsonBodyOptions = {}): MiddlewareHandler<AppEnv> {
  return async function jsonBody(c, next) {
    if (methods.includes(c.req.method) && hasBody(c.req.raw) && endpointRoute(c) && !isJson(c.req.header("Content-Type")) && !except(c)) {
      throw new ApiError("UNSUPPORTED_MEDIA_TYPE");
    }
    await next();
  };
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("Content-Length");
  if (length !== null) return Number(length) > 0;
  return request.body !== null;
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType = "", ...params] = contentType.split(";").map((part) => part.trim());
  if (!JSON_MEDIA_TYPE.test(mediaType)) return false;
  const charset = params.find((param) => /^charset=/i.test(param))?.slice("charset=".length).replaceAll('"', "");
  return charset === undefined || charset.toLowerCase() === "utf-8";
}
