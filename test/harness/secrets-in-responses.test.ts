import { describe, expect, it } from "vitest";
import { expectNoSecretsIn } from "../helpers/secrets-in-responses";

const response = (body: string) => new Response(body);

describe("the check every call() runs on a response", () => {
  it.each([
    ["a password hash", '{"hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}'],
    ["a token hash", `{"tokenHash":"${"ab".repeat(32)}"}`],
    ["a verification token", `{"token":"vt_${"A".repeat(42)}w"}`],
    ["an invitation token", `{"token":"it_${"A".repeat(42)}w"}`],
    ["a private key member", '{"keys":[{"kid":"k","d":"secret"}]}'],
  ])("fails on %s", async (_, body) => {
    await expect(expectNoSecretsIn("/v1/me", response(body))).rejects.toThrow();
  });

  it("allows a refresh token only where one is issued", async () => {
    const body = `{"refreshToken":"rt_${"A".repeat(42)}w"}`;
    await expect(expectNoSecretsIn("/v1/auth/refresh", response(body))).resolves.toBeUndefined();
    await expect(expectNoSecretsIn("/v1/auth/sessions", response(body))).rejects.toThrow();
  });

  it("allows an API key only where one is issued: creating and rotating a key", async () => {
    const body = `{"key":"live_3xk9ab12_${"A".repeat(42)}w${"Zz9".repeat(2)}"}`;
    await expect(expectNoSecretsIn("/v1/workspaces/ws_1/api-keys", response(body))).resolves.toBeUndefined();
    await expect(expectNoSecretsIn("/v1/workspaces/ws_1/api-keys/key_1/rotate", response(body))).resolves.toBeUndefined();
    await expect(expectNoSecretsIn("/v1/workspaces/ws_1/api-keys/key_1", response(body))).rejects.toThrow();
    await expect(expectNoSecretsIn("/v1/workspaces/ws_1/members", response(body))).rejects.toThrow();
  });

  it("passes an ordinary answer, trace ids included", async () => {
    await expect(expectNoSecretsIn("/v1/me", response(`{"id":"usr_1","traceId":"${"a".repeat(32)}"}`))).resolves.toBeUndefined();
  });
});
