import { neon } from "@neondatabase/serverless";
import { Redis } from "@upstash/redis/cloudflare";
import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, faultStack, setFault } from "../helpers/stack";
import { pointNeonAt, poolOn } from "./neon-setup";

const stack = faultStack("conformance");
const redis = new Redis({ url: stack.upstashUrl!, token: stack.upstashToken!, retry: false, enableTelemetry: false });

describe("fault injection on the local stack", () => {
  afterEach(() => clearFaults(stack));

  it("adds latency to the Neon HTTP endpoint", async () => {
    pointNeonAt(stack);
    await setFault("neonHttp", { latencyMs: 300 }, stack);
    const started = Date.now();
    expect(await neon(stack.databaseUrl).query("select 1 as one")).toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("answers the Neon HTTP endpoint's requests with the chosen error status until cleared", async () => {
    pointNeonAt(stack);
    const sql = neon(stack.databaseUrl);
    await setFault("neonHttp", { errorStatus: 503 }, stack);
    await expect(sql.query("select 1")).rejects.toThrow(/503/);
    await clearFaults(stack);
    expect(await sql.query("select 1 as one")).toEqual([{ one: 1 }]);
  });

  it("drops WebSocket proxy connections until cleared", async () => {
    pointNeonAt(stack);
    await setFault("neonWs", { drop: true }, stack);
    const refused = poolOn(stack);
    await expect(refused.query("select 1")).rejects.toThrow();
    await refused.end().catch(() => {});

    await clearFaults(stack);
    const pool = poolOn(stack);
    expect((await pool.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it("drops and fails Upstash requests until cleared", async () => {
    await setFault("upstash", { drop: true }, stack);
    await expect(redis.ping()).rejects.toThrow();
    await setFault("upstash", { errorStatus: 500 }, stack);
    await expect(redis.ping()).rejects.toThrow();
    await clearFaults(stack);
    expect(await redis.ping()).toBe("PONG");
  });
});
