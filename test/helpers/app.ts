import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/app";
import { expectNoSecretsIn } from "./secrets-in-responses";

export type TestApp = ReturnType<typeof createApp>;

/** Bindings to override in one test (vars, secrets or a binding's stand-in); `undefined` removes one. */
export type BindingOverrides = Record<string, unknown>;

/**
 * The real app with test-only routes added by `mount`, for behaviour no real route can show yet.
 * @example const app = testApp((app) => app.get("/boom", () => { throw new Error("boom") }))
 */
export function testApp(mount: (app: TestApp) => void = () => {}): TestApp {
  const app = createApp();
  mount(app);
  return app;
}

/**
 * Calls `app` in-process with the test bindings, optionally overridden, and a real execution
 * context; resolves once the work the request passed to `waitUntil` has settled, and rejects if
 * that work failed. Every response is checked for secrets it must never carry (see
 * secrets-in-responses.ts).
 */
export async function call(app: TestApp, path: string, init?: RequestInit, overrides: BindingOverrides = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.request(path, init, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  await expectNoSecretsIn(path, response);
  return response;
}

/** A fetch against the deployed-shape Worker. */
export const url = (path: string) => `http://api.test${path}`;
