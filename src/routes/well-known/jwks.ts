import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, type AppRouteHandler } from "../../lib/create-router";
import { NO_AUTH, problemResponse } from "../../lib/openapi";

const PublicJwkSchema = z
  .object({ kid: z.string(), alg: z.string(), use: z.literal("sig"), kty: z.string(), crv: z.string(), x: z.string(), y: z.string().optional() })
  .openapi("PublicJwk");

export const jwksRoute = createRoute({
  method: "get",
  path: "/.well-known/jwks.json",
  security: NO_AUTH,
  tags: ["Authentication"],
  summary: "The public keys that verify our access tokens (current and previous).",
  responses: {
    200: { description: "The JWK set.", content: { "application/json": { schema: z.object({ keys: z.array(PublicJwkSchema) }) } } },
    403: problemResponse("FORBIDDEN: the IP rules refuse the client's address."),
    500: problemResponse("CONFIGURATION_ERROR: the signing keys are not configured."),
  },
});

/**
 * Cacheable for five minutes: after a rotation the new key signs at once, and verifiers that cached the
 * old set find the new `kid` missing and fetch again; the previous key stays in the set meanwhile.
 */
const jwks: AppRouteHandler<typeof jwksRoute> = async (c) => {
  const { jwks } = await c.var.services.signingKeys();
  return c.json({ keys: [...jwks.keys] }, 200, { "Cache-Control": "public, max-age=300, stale-while-revalidate=60" });
};

/** `GET /.well-known/jwks.json`: needs the configuration, so it is mounted after it. */
export const wellKnown = createRouter().openapi(jwksRoute, jwks);
