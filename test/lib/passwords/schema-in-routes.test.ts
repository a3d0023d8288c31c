import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createRouter } from "../../../src/lib/create-router";
import type { Argon2 } from "../../../src/lib/passwords/argon2";
import { createPasswordHasher, CurrentPasswordSchema, PASSWORD_ISSUES, PasswordSchema } from "../../../src/lib/passwords";
import { call, testApp } from "../../helpers/app";
import { expectProblem } from "../../helpers/problem";

// A registration-shaped route that hashes what the schema let through, counting every hash.
const hashed: string[] = [];
const countingArgon2: Argon2 = async ({ password, tagLength }) => {
  hashed.push(new TextDecoder().decode(password));
  return new Uint8Array(tagLength);
};
const hasher = createPasswordHasher({ argon2: countingArgon2 });

const register = createRoute({
  method: "post",
  path: "/v1/test/register",
  request: {
    body: { required: true, content: { "application/json": { schema: z.object({ email: z.email(), password: PasswordSchema }).strict() } } },
  },
  responses: { 201: { description: "Registered" } },
});

const login = createRoute({
  method: "post",
  path: "/v1/test/login",
  request: {
    body: { required: true, content: { "application/json": { schema: z.object({ email: z.email(), password: CurrentPasswordSchema }).strict() } } },
  },
  responses: { 204: { description: "Checked" } },
});

const app = testApp((app) =>
  app
    .openapi(register, async (c) => {
      await hasher.hash(c.req.valid("json").password);
      return c.body(null, 201);
    })
    .openapi(login, async (c) => {
      await hasher.verifyDummy(c.req.valid("json").password);
      return c.body(null, 204);
    }),
);

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(app, path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } });

/** Posts `password` and returns the problem's field issues, checking nothing was hashed. */
async function refused(path: string, password: string, headers: Record<string, string> = {}) {
  hashed.length = 0;
  const problem = await expectProblem(await post(path, { email: "ada@example.com", password }, headers), { status: 400, code: "VALIDATION_FAILED" });
  expect(hashed).toEqual([]);
  return problem.errors;
}

describe("PasswordSchema in a route", () => {
  it("hashes a valid password in its NFKC form", async () => {
    hashed.length = 0;
    const response = await post("/v1/test/register", { email: "ada@example.com", password: "Ｓｔａｐｌｅ ｔｅａ" });
    expect(response.status).toBe(201);
    expect(hashed).toEqual(["Staple tea"]);
  });

  it("answers 400 VALIDATION_FAILED before any hashing for a password over the byte cap", async () => {
    const password = Array.from({ length: 1025 }, (_, index) => String.fromCharCode(97 + ((index * 7) % 26))).join("");
    expect(await refused("/v1/test/register", password)).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooLong }]);
    expect(await refused("/v1/test/login", password)).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooLong }]);
  });

  it("answers 400 VALIDATION_FAILED for a common password, and for a short one in the request's language", async () => {
    expect(await refused("/v1/test/register", "Password1")).toEqual([{ path: "password", ...PASSWORD_ISSUES.tooCommon }]);
    const [english] = (await refused("/v1/test/register", "short")) ?? [];
    const [german] = (await refused("/v1/test/register", "short", { "Accept-Language": "de" })) ?? [];
    expect(english).toEqual({ path: "password", code: "too_small", message: expect.stringContaining("8") });
    expect(german).toEqual({ path: "password", code: "too_small", message: expect.stringContaining("8") });
    expect(german?.message).not.toBe(english?.message);
  });

  it("lets a login through with any password an older policy allowed, within the byte cap", async () => {
    hashed.length = 0;
    expect((await post("/v1/test/login", { email: "ada@example.com", password: "pass" })).status).toBe(204);
    expect(hashed).toEqual(["pass"]);
  });

  it("appears in the OpenAPI document as a password string with its rules described", () => {
    const router = createRouter().openapi(register, (c) => c.body(null, 201));
    const document = router.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "test", version: "0" } });
    const body = document.paths?.["/v1/test/register"]?.post?.requestBody;
    expect(body).toMatchObject({
      content: {
        "application/json": {
          schema: { properties: { password: { type: "string", format: "password", description: expect.stringContaining("1024 bytes") } } },
        },
      },
    });
  });
});
