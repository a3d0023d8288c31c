/** `application/json`, `application/problem+json` and any other `+json`, with or without parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** Whether a `Content-Type` names JSON. */
export function isJson(contentType: string | null): boolean {
  return contentType !== null && JSON_MEDIA_TYPE.test(contentType);
}
