import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import type { StackInfo } from "./dev/stack-info.ts";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const stack = inject<StackInfo>("stack");
      return {
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            APP_ENV: "test",
            DATABASE_URL: stack.databaseUrl,
            NEON_HTTP_ENDPOINT: stack.neonHttpUrl,
            NEON_WS_PROXY: stack.neonWsProxy,
            UPSTASH_REDIS_REST_URL: stack.upstashUrl ?? "",
            UPSTASH_REDIS_REST_TOKEN: stack.upstashToken ?? "",
          },
        },
      };
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    coverage: {
      provider: "istanbul",
      include: ["src/**/*.ts"],
      exclude: ["src/worker-configuration.d.ts"],
      reporter: ["text-summary", "text", "html"],
    },
  },
});
