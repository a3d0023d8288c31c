import { loadConfig, type Config } from "../env";
import { createLogger, type LogFields, type Logger } from "../lib/logger";

/** A job's configuration, or none when it is invalid; its logger either way. */
export type JobConfig = { config: Config; logger: Logger } | { config: undefined; logger: Logger };

/**
 * What every queue consumer and cron job starts with: the configuration, and a logger at its level
 * carrying `fields`. An invalid configuration is logged here, once, with the settings at fault (the
 * logger then logs everything); the caller only decides what the run does without one.
 * @example const { config, logger } = loadJobConfig(env, { job: "expired-purge" }); if (!config) return;
 */
export function loadJobConfig(env: Env, fields: LogFields): JobConfig {
  const loaded = loadConfig(env);
  if (loaded.ok) return { config: loaded.config, logger: createLogger({ level: loaded.config.LOG_LEVEL, fields }) };
  const logger = createLogger({ level: "debug", fields });
  logger.error("invalid configuration", { settings: loaded.settings });
  return { config: undefined, logger };
}
