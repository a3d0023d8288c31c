import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ExtractSchema, MergeSchemaPath } from "hono/types";
import type { AppEnv } from "./lib/app-env";
import type { liveness } from "./routes/health/health.index";
import type { v1 } from "./routes/v1/index";

/**
 * The API's routes with their inputs and answers, for a typed client made with `hono/client`:
 * `/health` and everything under `/v1`, as mounted by createApp. Types only: nothing here runs.
 * @example const client = hc<AppType>("https://api.example.com"); await client.v1.workspaces.$post({ json: { name: "Launch" } })
 */
export type AppType = OpenAPIHono<AppEnv, ExtractSchema<typeof liveness> & MergeSchemaPath<ExtractSchema<typeof v1>, "/v1">>;
