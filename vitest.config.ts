import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { prepareDocsAssets } from "./dev/docs-assets.ts";
import { randomLocalSecret } from "./dev/local-secrets.ts";
import { oauthBindings, workerBindings } from "./dev/stack-info.ts";
import { generateSigningKeySet } from "./src/lib/tokens/key-generation.ts";

// Miniflare must not fetch request.cf data, nor wrangler send metrics: tests stay on loopback.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

// The Worker's static assets (the docs page's script) must be in place before the pool reads wrangler.toml.
prepareDocsAssets();

/** A key set of this run's own; tests read it from `env.JWT_SIGNING_KEYS` to forge tokens against it. */
const signingKeys = JSON.stringify(await generateSigningKeySet());
/** This run's key for attachments' download URLs. */
const attachmentUrlSecret = randomLocalSecret();

/**
 * Rate limits no test reaches by accident: the suite's requests mostly come from one client (no
 * CF-Connecting-IP) and would share one counter. Keys go under the run's Redis prefix, deleted at the
 * end. The rate-limit tests set tight limits of their own.
 */
const suiteRateLimits = (keyPrefix: string) => {
  const generous = { policy: { algorithm: "sliding-window", limit: 1_000_000, windowMs: 1000 } };
  return JSON.stringify({ keyPrefix: `${keyPrefix}ratelimit`, auth: generous, api: generous, workspace: generous });
};

export default defineConfig({
  test: {
    // The Worker's one-JSON-line-per-request logs; tests that care about them spy on console.
    onConsoleLog: (log) => !log.startsWith('{"level":'),
    projects: [
      {
        // The Worker and the local stack's conformance suite, inside workerd.
        plugins: [
          cloudflareTest(({ inject }) => ({
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
              // Mail the app queues in tests goes to a queue nobody consumes, so no batch reaches the
              // Worker's consumer at a time of the queue's choosing; tests that want mail delivered
              // record it and hand it to the consumer themselves (test/helpers/mail.ts).
              queueProducers: {
                MAIL_QUEUE: { queueName: "edge-backend-mail-tests" },
                // Likewise issue 13's queues: tests run the relay and the consumers themselves.
                EVENTS_QUEUE: { queueName: "edge-backend-events-tests" },
                DELIVERY_QUEUE: { queueName: "edge-backend-deliveries-tests" },
                INBOUND_QUEUE: { queueName: "edge-backend-inbound-tests" },
              },
              bindings: {
                APP_ENV: "test",
                JWT_SIGNING_KEYS: signingKeys,
                ATTACHMENT_URL_SECRET: attachmentUrlSecret,
                WEBHOOK_SECRETS_KEY: randomLocalSecret(),
                RATE_LIMITS: suiteRateLimits(inject("redisKeyPrefix")),
                // The cache's keys under the run's prefix too, deleted at the end.
                REDIS_KEY_PREFIX: inject("redisKeyPrefix"),
                ...workerBindings(inject("stack")),
                // Sign-in with Google and GitHub against the run's mock providers (dev/oauth-mocks.ts).
                ...oauthBindings(inject("oauthProviders")),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          // One workerd per worker, reused from file to file: a fresh one per file spent each file's
          // first seconds transforming and importing the app again (test/middleware: 276 s isolated,
          // 41 s not). Files keep their own state all the same: a database per run and keys per test.
          isolate: false,
          // Node-side tests of the running Worker: the project below.
          exclude: [...configDefaults.exclude, "test/docs/**"],
          globalSetup: ["./test/global-setup.ts"],
          setupFiles: ["./test/noise-setup.ts", "./test/neon-driver-setup.ts"],
        },
      },
      {
        // The API reference against the Worker run by wrangler dev: Redocly's lint of the document,
        // and /docs in headless Chromium (skipped, with one line, where /usr/bin/chromium is absent).
        test: {
          name: "docs",
          include: ["test/docs/**/*.test.ts"],
          environment: "node",
          setupFiles: ["./test/noise-setup.ts"],
        },
      },
      {
        // Unit tests of the local stack's Node-side pieces (protocol parsers and rewriters) and of the
        // bench's arithmetic, and the noise check's self-test, which runs in both projects.
        test: {
          name: "node",
          include: ["dev/**/*.test.ts", "bench/**/*.test.ts", "test/harness/expected-noise.test.ts"],
          environment: "node",
          setupFiles: ["./test/noise-setup.ts"],
        },
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
