import type { MiddlewareHandler } from "hono";

export interface DeprecationOptions {
  /** When the routes were (or will be) deprecated: RFC 9745's `Deprecation`. */
  since: Date;
  /** When they stop answering: RFC 8594's `Sunset`. Not before `since`. */
  sunset: Date;
  /** A page that says what replaces them and how to move (absolute URL, e.g. the /v2 migration guide). */
  link: string;
}

/**
 * Marks every answer of the routes it guards as deprecated, for clients and their tooling to see:
 * `Deprecation: @<unix seconds>` (RFC 9745, a Structured Field date), `Sunset: <HTTP-date>` (RFC 8594)
 * and `Link: <link>; rel="deprecation"` and `rel="sunset"`, added to any `Link` the route sets. Errors
 * are marked too. Ready for when /v2 comes in (see the README); no live route uses it yet.
 * @example v1.use("/tasks/*", deprecation({ since: new Date("2027-01-01"), sunset: new Date("2027-07-01"), link: "https://api.example.com/docs/v2-migration" }))
 */
export function deprecation({ since, sunset, link }: DeprecationOptions): MiddlewareHandler {
  if (!(since.getTime() <= sunset.getTime())) throw new Error("deprecation: sunset must not come before since");
  const target = new URL(link);
  if (target.protocol !== "https:" && target.protocol !== "http:") throw new Error("deprecation: link must be an http(s) URL");
  // Computed once: every answer carries the same three headers.
  const headers: Array<[string, string]> = [
    ["Deprecation", `@${Math.floor(since.getTime() / 1000)}`],
    ["Sunset", sunset.toUTCString()],
    ["Link", `<${target.href}>; rel="deprecation"; type="text/html"`],
    ["Link", `<${target.href}>; rel="sunset"; type="text/html"`],
  ];
  return async function deprecation(c, next) {
    await next();
    // A WebSocket upgrade keeps its 101 and socket untouched; any other answer may have immutable headers.
    if (c.res.status === 101) return;
    const response = new Response(c.res.body, c.res);
    for (const [name, value] of headers) response.headers.append(name, value);
    // Unset first: Hono's setter would otherwise copy the old headers onto the new response itself.
    c.res = undefined;
    c.res = response;
  };
}
