import { call, testApp } from "./app";

export interface OpenApiOperation {
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, { additionalProperties?: unknown; properties?: Record<string, unknown> }> };
}

/**
 * The app's OpenAPI document as a client reads it, and a lookup of a `$ref`'s schema in it.
 * @example const { document, schema } = await openApiDocument()
 */
export async function openApiDocument() {
  const document = await (await call(testApp(), "/v1/openapi.json")).json<OpenApiDocument>();
  const schema = (ref: string | undefined) => document.components.schemas[ref!.replace("#/components/schemas/", "")]!;
  return { document, schema };
}
