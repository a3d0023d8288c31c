import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { CRONS } from "../src/jobs/crons.ts";
import { MAX_RETRIES, QUEUE_KINDS, queueKind } from "../src/jobs/queue-kinds.ts";
import { isLoopbackHost } from "./loopback.ts";

// Read with wrangler's own reader, so each environment is seen as a deploy sees it (inheritance included).
const configPath = fileURLToPath(new URL("../wrangler.toml", import.meta.url));
const topLevel = unstable_readConfig({ config: configPath }, { hideWarnings: true });
const environments = Object.keys(experimental_readRawConfig({ config: configPath }).rawConfig.env ?? {}).map((name) => ({
  name,
  config: unstable_readConfig({ config: configPath, env: name }, { hideWarnings: true }),
}));

describe("the deploy configuration (wrangler.toml)", () => {
  it("has a staging and a production environment", () => {
    expect(environments.map(({ name }) => name)).toEqual(expect.arrayContaining(["staging", "production"]));
  });

  it("names the top level apart from every environment, so a deploy without --env replaces none of them", () => {
    for (const { config } of environments) expect(config.name).not.toBe(topLevel.name);
  });

  it("keeps the production Worker's name, edge-backend", () => {
    expect(environments.find(({ name }) => name === "production")?.config.name).toBe("edge-backend");
  });

  it("runs every environment with its own APP_ENV: staging as staging, production as production", () => {
    for (const { name, config } of environments) {
      expect(["staging", "production"]).toContain(config.vars.APP_ENV);
      if (name === "staging" || name === "production") expect(config.vars.APP_ENV).toBe(name);
    }
  });

  it("gives every environment its own CORS origins, all https and none on localhost", () => {
    for (const { config } of environments) {
      const origins = String(config.vars.CORS_ORIGINS ?? "").split(",").map((origin) => origin.trim()).filter(Boolean);
      expect(origins).not.toEqual([]);
      for (const origin of origins) {
        const { protocol, hostname } = new URL(origin);
        expect(protocol).toBe("https:");
        expect(isLoopbackHost(hostname)).toBe(false);
      }
    }
  });

  it("declines WebSocket compression everywhere: a hub would deflate each notification once per socket", () => {
    for (const { config } of [{ config: topLevel }, ...environments]) expect(config.compatibility_flags).toContain("no_web_socket_compression");
  });

  it("builds every environment without esbuild's keep-names calls, which named closures anew on every request", () => {
    for (const { config } of [{ config: topLevel }, ...environments]) expect(config.keep_names).toBe(false);
  });

  it("deploys an unminified bundle, so stack traces and error fingerprints carry the source's function names", () => {
    for (const { config } of [{ config: topLevel }, ...environments]) expect(config.minify).not.toBe(true);
  });

  it("declares DATABASE_URL as a required secret in every environment, so a deploy without it fails", () => {
    for (const { config } of environments) expect(config.secrets?.required).toContain("DATABASE_URL");
  });

  it("declares the mail provider's secrets as required in every environment, so a deploy without them fails", () => {
    for (const { config } of environments) expect(config.secrets?.required).toEqual(expect.arrayContaining(["MAIL_API_URL", "MAIL_API_KEY", "MAIL_FROM"]));
  });

  it.each(["MAIL_QUEUE", "EVENTS_QUEUE", "DELIVERY_QUEUE", "INBOUND_QUEUE"])("gives the top level and every environment its own %s, consumed with bounded retries and a dead-letter queue", (binding) => {
    const configs = [{ name: "top level", config: topLevel }, ...environments];
    const queues = configs.map(({ name, config }) => {
      const producer = config.queues.producers?.find((declared: { binding: string }) => declared.binding === binding);
      expect(producer, name).toBeDefined();
      const consumer = config.queues.consumers?.find(({ queue }: { queue: string }) => queue === producer!.queue);
      expect(consumer, name).toBeDefined();
      expect(consumer!.max_retries, name).toBeGreaterThan(0);
      expect(consumer!.max_retries, name).toBeLessThanOrEqual(10);
      expect(consumer!.dead_letter_queue, name).toMatch(/\S/);
      expect(consumer!.dead_letter_queue, name).not.toBe(producer!.queue);
      const kind = QUEUE_KINDS[binding as keyof typeof QUEUE_KINDS];
      expect(queueKind(producer!.queue), name).toBe(kind);
      expect(consumer!.max_retries, name).toBe(MAX_RETRIES[kind]);
      return producer!.queue;
    });
    expect(new Set(queues).size).toBe(configs.length);
  });

  it("binds each environment's own attachments bucket, and the top level a local one", () => {
    const configs = [{ name: "top level", config: topLevel }, ...environments];
    const buckets = configs.map(({ name, config }) => {
      const bucket = config.r2_buckets.find(({ binding }: { binding: string }) => binding === "ATTACHMENTS");
      expect(bucket?.bucket_name, name).toMatch(/\S/);
      return bucket!.bucket_name;
    });
    expect(new Set(buckets).size).toBe(configs.length);
  });

  it.each(["ATTACHMENT_URL_SECRET", "WEBHOOK_SECRETS_KEY"])("declares %s as a required secret in every environment, so a deploy without it fails", (secret) => {
    for (const { config } of environments) expect(config.secrets?.required).toContain(secret);
  });

  it("runs the cron triggers src/index.ts dispatches on, and no other, at the top level and in every environment", () => {
    for (const { config } of [{ config: topLevel }, ...environments]) expect([...config.triggers.crons].sort()).toEqual(Object.values(CRONS).sort());
  });

  it("declares no secrets at the top level, where wrangler dev and the tests would then take the Worker's settings from the shell", () => {
    expect(topLevel.secrets).toBeUndefined();
  });

  it("sets the local stack's NEON_HTTP_ENDPOINT and NEON_WS_PROXY in no environment", () => {
    for (const { config } of environments) {
      expect(Object.keys(config.vars)).not.toContain("NEON_HTTP_ENDPOINT");
      expect(Object.keys(config.vars)).not.toContain("NEON_WS_PROXY");
    }
  });

  it("binds RATE_COUNTER to the RateCounter Durable Object at the top level and in every environment", () => {
    for (const config of [topLevel, ...environments.map(({ config }) => config)]) {
      expect(config.durable_objects.bindings).toContainEqual({ name: "RATE_COUNTER", class_name: "RateCounter" });
    }
  });

  it("creates RateCounter as a SQLite-backed class in the migrations every environment deploys", () => {
    for (const config of [topLevel, ...environments.map(({ config }) => config)]) {
      const migrations: Array<{ new_classes?: string[]; new_sqlite_classes?: string[] }> = config.migrations;
      expect(migrations.flatMap((migration) => migration.new_sqlite_classes ?? [])).toContain("RateCounter");
      expect(migrations.flatMap((migration) => migration.new_classes ?? [])).not.toContain("RateCounter");
    }
  });

  it("deploys only through npm scripts that name the environment", () => {
    const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    expect(scripts).toMatchObject({ "deploy:staging": "wrangler deploy --env staging", "deploy:production": "wrangler deploy --env production" });
    for (const command of Object.values(scripts).filter((script) => /\bwrangler (deploy|versions|rollback|secret)\b/.test(script))) {
      expect(command).toMatch(/--env (staging|production)\b/);
    }
  });
});
