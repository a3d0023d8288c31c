import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import type { AccessTokenClaims } from "../../../src/lib/tokens";
import { call, testApp } from "../../helpers/app";
import { forgedAccessTokens } from "../../helpers/forged-tokens";
import { bearer, createUser, signIn, testKeySet } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";

const claimsOf = (token: string) => JSON.parse(atob(token.split(".")[1]!.replaceAll("-", "+").replaceAll("_", "/"))) as AccessTokenClaims;

describe("access tokens at the API", async () => {
  const user = await createUser();
  const tokens = await signIn(user);
  const forged = await forgedAccessTokens(testKeySet(), claimsOf(tokens.accessToken), { refreshToken: tokens.refreshToken });
  const app = createApp();

  it("accepts the genuine token", async () => {
    expect((await call(app, "/v1/auth/sessions", { headers: bearer(tokens.accessToken) })).status).toBe(200);
  });

  it.each(forged.map((token) => [token.name, token.token] as const))("refuses %s with a 401 that says nothing of why", async (_, token) => {
    const response = await call(app, "/v1/auth/sessions", { headers: bearer(token) });
    const problem = await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
    expect(problem.detail).toBe("Authentication is required to access this resource.");
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api", error="invalid_token"');
  });

  it.each([
    ["no Authorization header", undefined],
    ["another scheme", "Basic dXNlcjpwYXNz"],
    ["an empty bearer", "Bearer "],
  ])("asks for a token when there is %s", async (_, authorization) => {
    const response = await call(app, "/v1/auth/sessions", authorization === undefined ? {} : { headers: { Authorization: authorization } });
    await expectProblem(response, { status: 401, code: "UNAUTHORIZED" });
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes the public keys, cacheable, with no private member", async () => {
    const response = await call(testApp(), "/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+/);
    const { keys } = await response.json<{ keys: Array<Record<string, unknown>> }>();
    const ours = testKeySet().keys;
    expect(keys.map((key) => key.kid)).toEqual(ours.map((key) => key.kid));
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
      expect(key).not.toHaveProperty("d");
    }
  });
});
