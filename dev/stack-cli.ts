// `npm run stack`: the local edge stack in the foreground. Prints one JSON line on stdout when
// ready, logs to stderr, stops on SIGINT or SIGTERM.
import { createLogger, redact } from "./logger.ts";
import { startStack } from "./stack.ts";
import { stackOptionsFromEnv } from "./stack-env.ts";

const logger = createLogger("stack");
try {
  const stack = await startStack({ ...stackOptionsFromEnv(process.env), logger });
  process.stdout.write(JSON.stringify(stack.info) + "\n");
  logger.info("ready", { pglite: stack.info.pglite, database: redact(stack.info.databaseUrl) });
  const stop = async (signal: string) => {
    logger.info(`${signal}: stopping`);
    await stack.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
} catch (error) {
  logger.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
