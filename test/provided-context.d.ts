import type { TestStacks } from "../dev/stack-info.ts";

// What test/global-setup.ts provides to every test through `inject()`.
declare module "vitest" {
  interface ProvidedContext extends TestStacks {}
}
