import { loadConfig } from "../env";
import { ApiError } from "../lib/errors";
import type { AroundHook } from "./around";
import { logError } from "./logger";

export interface ConfigurationOptions {
  load?: typeof loadConfig;
}

/**
 * Validates the configuration (parsed once per isolate by `loadConfig`) and puts it on
 * `c.var.config`. A missing or malformed setting answers CONFIGURATION_ERROR naming the settings,
 * never their values.
 */
export function configuration({ load = loadConfig }: ConfigurationOptions = {}): AroundHook {
  return {
    open(c) {
      const result = load(c.env);
      if (!result.ok) {
        logError(c, "invalid configuration", undefined, { settings: result.settings });
        throw new ApiError("CONFIGURATION_ERROR", { detail: "configurationInvalid", params: { settings: result.settings } });
      }
      c.set("config", result.config);
    },
  };
}
