import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Miniflare must not fetch request.cf data, nor wrangler send metrics: tests stay on loopback.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

export default defineConfig({
  test: {
    // The Worker's one-JSON-line-per-request logs; tests that care about them spy on console.
    onConsoleLog: (log) => !log.startsWith('{"level":'),
    projects: [
      {
        // The Worker and the local stack's conformance suite, inside workerd.
        plugins: [
          cloudflareTest(({ inject }) => {
            const stack = inject("stack");
            return {
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // Test-only Durable Objects (test/fixtures/durable-objects.js), reached through stubs.
                workers: [
                  {
                    name: "test-fixtures",
                    modules: true,
                    scriptPath: "./test/fixtures/durable-objects.js",
                    compatibilityDate: "2026-10-01",
                    durableObjects: { ECHO_OBJECT: "EchoObject" },
                  },
                ],
                durableObjects: { ECHO_OBJECT: { className: "EchoObject", scriptName: "test-fixtures" } },
                bindings: {
                  APP_ENV: "test",
                  DATABASE_URL: stack.databaseUrl,
                  NEON_HTTP_ENDPOINT: stack.neonHttpUrl,
                  NEON_WS_PROXY: stack.neonWsProxy,
                  ...(stack.upstashUrl && stack.upstashToken
                    ? { UPSTASH_REDIS_REST_URL: stack.upstashUrl, UPSTASH_REDIS_REST_TOKEN: stack.upstashToken }
                    : {}),
                },
              },
            };
          }),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
        },
      },
      {
        // Unit tests of the local stack's Node-side pieces (protocol parsers and rewriters).
        test: { name: "node", include: ["dev/**/*.test.ts"], environment: "node" },
      },
    ],
    coverage: {
      provider: "istanbul",
      include: ["src/**/*.ts"],
      exclude: ["src/worker-configuration.d.ts"],
      reporter: ["text-summary", "text", "html"],
    },
  },
});
