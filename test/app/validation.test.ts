import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { call, testApp } from "../helpers/app";
import { expectProblem } from "../helpers/problem";

const createItem = createRoute({
  method: "post",
  path: "/v1/test/items",
  request: {
    query: z.object({ dryRun: z.enum(["true", "false"]).optional() }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            name: z.string().min(1),
            quantity: z.number().int().positive(),
            tags: z.array(z.string()).optional(),
            code: z.string().refine((value) => value.startsWith("SKU-"), { message: "must start with SKU-" }).optional(),
          }),
        },
      },
    },
  },
  responses: { 201: { description: "Created", content: { "application/json": { schema: z.object({ name: z.string() }) } } } },
});

const app = testApp((app) => app.openapi(createItem, (c) => c.json({ name: c.req.valid("json").name }, 201)));

const post = (body: unknown, headers: Record<string, string> = {}, query = "") =>
  call(app, `/v1/test/items${query}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "Content-Type": "application/json", ...headers },
  });

describe("request validation", () => {
  it("accepts a valid body", async () => {
    const response = await post({ name: "bolt", quantity: 3 });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: "bolt" });
  });

  it("answers 400 VALIDATION_FAILED listing each invalid field with path, message and code", async () => {
    const problem = await expectProblem(await post({ name: "", quantity: 1.5, tags: ["ok", 7] }), {
      status: 400,
      code: "VALIDATION_FAILED",
    });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: "name", message: expect.any(String), code: "too_small" },
        { path: "quantity", message: expect.any(String), code: "invalid_type" },
        { path: "tags.1", message: expect.stringContaining("expected string"), code: "invalid_type" },
      ]),
    );
    expect(problem.errors).toHaveLength(3);
  });

  it("reports a missing required field", async () => {
    const problem = await expectProblem(await post({ name: "bolt" }), { status: 400, code: "VALIDATION_FAILED" });
    expect(problem.errors).toEqual([{ path: "quantity", message: expect.stringContaining("received undefined"), code: "invalid_type" }]);
  });

  it("validates the query string the same way", async () => {
    const problem = await expectProblem(await post({ name: "bolt", quantity: 1 }, {}, "?dryRun=maybe"), {
      status: 400,
      code: "VALIDATION_FAILED",
    });
    expect(problem.errors).toEqual([expect.objectContaining({ path: "dryRun", code: "invalid_value" })]);
  });

  it("answers 400 MALFORMED_JSON, not 500, for a body that is not JSON", async () => {
    const problem = await expectProblem(await post('{"name": "bolt",'), { status: 400, code: "MALFORMED_JSON" });
    expect(problem.errors).toBeUndefined();
  });

  it("translates zod's own field messages but keeps messages a schema wrote", async () => {
    const problem = await expectProblem(await post({ name: "bolt", quantity: "3", code: "X-1" }, { "Accept-Language": "de" }), {
      status: 400,
      code: "VALIDATION_FAILED",
    });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: "quantity", message: "Ungültige Eingabe: erwartet Zahl, erhalten string", code: "invalid_type" },
        { path: "code", message: "must start with SKU-", code: "custom" },
      ]),
    );
  });
});
