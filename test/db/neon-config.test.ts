import { neonConfig } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import { pointNeonAtLocalStack } from "../../src/db/local-neon";
import { configureNeon } from "../../src/db/neon-config";

describe("configureNeon", () => {
  it("writes the driver's process-wide settings once for the same endpoints, again only when they change", () => {
    const endpoints = { httpEndpoint: "http://127.0.0.1:1/sql", wsProxy: "127.0.0.1:2/v2" };
    configureNeon(endpoints);
    const first = neonConfig.fetchEndpoint;
    configureNeon({ ...endpoints });
    expect(neonConfig.fetchEndpoint).toBe(first);

    configureNeon({ ...endpoints, httpEndpoint: "http://127.0.0.1:5/sql" });
    expect(neonConfig.fetchEndpoint).not.toBe(first);
  });

  it("writes them again when something else pointed the driver elsewhere since (the conformance suite does)", () => {
    const endpoints = { httpEndpoint: "http://127.0.0.1:7/sql", wsProxy: "127.0.0.1:8/v2" };
    configureNeon(endpoints);
    pointNeonAtLocalStack({ httpEndpoint: "http://127.0.0.1:9/sql", wsProxy: "127.0.0.1:10/v2" });
    configureNeon(endpoints);
    const endpoint = neonConfig.fetchEndpoint as (host: string, port: number) => string;
    const proxy = neonConfig.wsProxy as (host: string, port: number) => string;
    expect(endpoint("ep-example.neon.tech", 443)).toBe("http://127.0.0.1:7/sql");
    expect(proxy("ep-example.neon.tech", 5432)).toBe("127.0.0.1:8/v2");
  });

  it("installs one fetch function for every database: timeouts and breakers travel with each database's queries", () => {
    configureNeon({ httpEndpoint: "http://127.0.0.1:1/sql" });
    const fetchFunction = neonConfig.fetchFunction;
    configureNeon({ httpEndpoint: "http://127.0.0.1:6/sql" });
    expect(neonConfig.fetchFunction).toBe(fetchFunction);
  });

  it("points HTTP and WebSocket traffic at the local stack, without TLS or pipelined passwords", () => {
    configureNeon({ httpEndpoint: "http://127.0.0.1:3/sql", wsProxy: "127.0.0.1:4/v2" });
    const endpoint = neonConfig.fetchEndpoint as (host: string, port: number) => string;
    const proxy = neonConfig.wsProxy as (host: string, port: number) => string;
    expect(endpoint("ep-example.neon.tech", 443)).toBe("http://127.0.0.1:3/sql");
    expect(proxy("ep-example.neon.tech", 5432)).toBe("127.0.0.1:4/v2");
    expect(neonConfig.useSecureWebSocket).toBe(false);
    expect(neonConfig.pipelineConnect).toBe(false);
  });
});
