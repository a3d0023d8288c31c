import { neon } from "@neondatabase/serverless";
import { describe, expect, inject, it } from "vitest";
import { testKey } from "../helpers/redis-keys";
import { pointNeonAt } from "./neon-setup";
import { upstashClient } from "./upstash-setup";

const stack = inject("stack");
const ELEVEN_MIB = "x".repeat(11 * 1024 * 1024);

async function neonPost(body: string, headers: Record<string, string> = { "neon-connection-string": stack.databaseUrl }) {
  return fetch(stack.neonHttpUrl, { method: "POST", headers: { "content-type": "text/plain", ...headers }, body });
}

async function expectNeonStillServing() {
  pointNeonAt(stack);
  expect(await neon(stack.databaseUrl).query("select 'ok' as still")).toEqual([{ still: "ok" }]);
}

describe("Neon HTTP endpoint given bad input", () => {
  it("answers malformed JSON with 400 and a message, then keeps serving", async () => {
    const response = await neonPost("{not json");
    expect(response.status).toBe(400);
    expect(await response.json()).toHaveProperty("message");
    await expectNeonStillServing();
  });

  it("answers a request without a connection string with 400", async () => {
    const response = await neonPost(JSON.stringify({ query: "select 1", params: [] }), {});
    expect(response.status).toBe(400);
    expect(await response.json()).toHaveProperty("message");
  });

  it("answers an oversized body with 413, as Neon's 10 MiB limit does", async () => {
    const response = await neonPost(JSON.stringify({ query: "select $1", params: [ELEVEN_MIB] }));
    expect(response.status).toBe(413);
    expect((await response.json<{ message: string }>()).message).toMatch(/request is too large/);
    await expectNeonStillServing();
  });

  it("answers broken SQL with 400 and PostgreSQL's code and position", async () => {
    const response = await neonPost(JSON.stringify({ query: "select from where", params: [] }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "42601", position: expect.any(String) });
    await expectNeonStillServing();
  });
});

describe("Upstash endpoint given bad input", () => {
  const post = (path: string, body: string, token = stack.upstashToken) =>
    fetch(`${stack.upstashUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body });

  async function expectUpstashStillServing() {
    expect(await upstashClient().ping()).toBe("PONG");
  }

  it("answers a wrong token with 401 Unauthorized", async () => {
    const response = await post("/", '["PING"]', "wrong-token");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Unauthorized" });
  });

  it("answers malformed JSON and a body that is not a command with 400", async () => {
    const responses = await Promise.all(["[not json", '{"a":1}'].map((body) => post("/", body)));
    expect(responses.map((response) => response.status)).toEqual([400, 400]);
    for (const body of await Promise.all(responses.map((response) => response.json()))) expect(body).toHaveProperty("error");
    await expectUpstashStillServing();
  });

  it("answers an unknown command with Redis's error", async () => {
    const response = await post("/", '["NOSUCHCOMMAND","x"]');
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/^ERR unknown command/);
    await expectUpstashStillServing();
  });

  it("refuses commands that would take over a shared connection", async () => {
    const response = await post("/", '["SUBSCRIBE","channel"]');
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/not supported/);
    await expectUpstashStillServing();
  });

  it("answers an oversized body with 413", async () => {
    const response = await post("/", JSON.stringify(["SET", testKey("too-big"), ELEVEN_MIB]));
    expect(response.status).toBe(413);
    expect(await response.json()).toHaveProperty("error");
    await expectUpstashStillServing();
  });
});
