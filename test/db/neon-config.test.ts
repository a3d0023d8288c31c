import { neonConfig } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import { configureNeon } from "../../src/db/neon-config";

describe("configureNeon", () => {
  it("writes the driver's process-wide settings once for the same settings, again only when they change", () => {
    const settings = { httpEndpoint: "http://127.0.0.1:1/sql", wsProxy: "127.0.0.1:2/v2", timeoutMs: 1000 };
    configureNeon(settings);
    const first = neonConfig.fetchFunction;
    configureNeon({ ...settings });
    expect(neonConfig.fetchFunction).toBe(first);

    configureNeon({ ...settings, timeoutMs: 2000 });
    expect(neonConfig.fetchFunction).not.toBe(first);
  });

  it("points HTTP and WebSocket traffic at the local stack, without TLS or pipelined passwords", () => {
    configureNeon({ httpEndpoint: "http://127.0.0.1:3/sql", wsProxy: "127.0.0.1:4/v2", timeoutMs: 1000 });
    const endpoint = neonConfig.fetchEndpoint as (host: string, port: number) => string;
    const proxy = neonConfig.wsProxy as (host: string, port: number) => string;
    expect(endpoint("ep-example.neon.tech", 443)).toBe("http://127.0.0.1:3/sql");
    expect(proxy("ep-example.neon.tech", 5432)).toBe("127.0.0.1:4/v2");
    expect(neonConfig.useSecureWebSocket).toBe(false);
    expect(neonConfig.pipelineConnect).toBe(false);
  });
});
