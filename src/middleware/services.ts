import type { MiddlewareHandler } from "hono";
import { loadConfig } from "../env";
import type { AppEnv } from "../lib/app-env";
import { ApiError } from "../lib/errors";
import { createServices } from "../services/container";
import { logError } from "./logger";

export interface ServicesOptions {
  load?: typeof loadConfig;
  create?: typeof createServices;
}

/**
 * Validates the configuration (parsed once per isolate by `loadConfig`) and puts `config` and
 * `services` on `c.var`. A missing or malformed setting answers CONFIGURATION_ERROR naming the
 * settings, never their values.
 */
export function services({ load = loadConfig, create = createServices }: ServicesOptions = {}): MiddlewareHandler<AppEnv> {
  return async function services(c, next) {
    const result = load(c.env);
    if (!result.ok) {
      logError(c, "invalid configuration", undefined, { settings: result.settings });
      throw new ApiError("CONFIGURATION_ERROR", { detail: "configurationInvalid", params: { settings: result.settings } });
    }
    c.set("config", result.config);
    // Cheap: each client is built on first use.
    c.set("services", create(result.config));
    await next();
  };
}
