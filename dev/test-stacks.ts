import { silentLogger } from "./logger.ts";
import { startOAuthMocks } from "./oauth-mocks.ts";
import { applyMigrations } from "./migrate.ts";
import { startStack, type Stack } from "./stack.ts";
import { FAULT_STACK_NAMES, OWN_DATABASE_STACK_NAMES, type FaultStackName, type OwnDatabaseStackName, type StackInfo, type TestStacks } from "./stack-info.ts";
import { createTestDatabase } from "./test-database.ts";
import { startTelemetryReceiver } from "./telemetry-receiver.ts";
import { startWebhookReceiver } from "./webhook-receiver.ts";
import { createTestKeyPrefix } from "./test-redis-keys.ts";
import { TEST_POSTGRES_URL, TEST_REDIS_URL } from "./test-services.ts";

/**
 * Creates this run's database and Redis key prefix, starts the stacks the suite uses and applies
 * the migrations. `close` stops the stacks, drops the database and deletes the run's Redis keys.
 */
export async function startTestStacks(): Promise<{ stacks: TestStacks; close(): Promise<void> }> {
  const database = await createTestDatabase(TEST_POSTGRES_URL);
  const ownDatabases: Array<Awaited<ReturnType<typeof createTestDatabase>>> = [];
  const keys = createTestKeyPrefix(TEST_REDIS_URL);
  const started: Stack[] = [];
  let receiver: Awaited<ReturnType<typeof startTelemetryReceiver>> | undefined;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>> | undefined;
  const mocks: Array<Awaited<ReturnType<typeof startOAuthMocks>>> = [];
  const close = async () => {
    await Promise.all([...started.map((stack) => stack.close()), receiver?.close(), webhooks?.close(), ...mocks.map((mock) => mock.close())]);
    const cleaned = await Promise.allSettled([database.drop(), ...ownDatabases.map((own) => own.drop()), keys.clean()]);
    const failure = cleaned.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
  };
  try {
    for (const _ of OWN_DATABASE_STACK_NAMES) ownDatabases.push(await createTestDatabase(TEST_POSTGRES_URL));
    const onMachine = (databaseUrl = database.url) => startStack({ databaseUrl, redisUrl: TEST_REDIS_URL, logger: silentLogger });
    const onPglite = () => startStack({ redisUrl: TEST_REDIS_URL, logger: silentLogger });
    started.push(...(await Promise.all([onMachine(), onPglite(), ...FAULT_STACK_NAMES.map(() => onMachine()), ...ownDatabases.map((own) => onMachine(own.url))])));
    const [stack, pgliteStack, ...others] = started.map(({ info }) => info) as [StackInfo, StackInfo, ...StackInfo[]];
    const faultStacks = others.slice(0, FAULT_STACK_NAMES.length);
    const ownDatabaseStacks = others.slice(FAULT_STACK_NAMES.length);
    receiver = await startTelemetryReceiver();
    webhooks = await startWebhookReceiver();
    mocks.push(await startOAuthMocks());
    await Promise.all([applyMigrations(database.url), applyMigrations(pgliteStack.databaseUrl), ...ownDatabases.map((own) => applyMigrations(own.url))]);
    return {
      stacks: {
        stack,
        pgliteStack,
        faultStacks: Object.fromEntries(FAULT_STACK_NAMES.map((name, index) => [name, faultStacks[index]!])) as Record<FaultStackName, StackInfo>,
        ownDatabaseStacks: Object.fromEntries(OWN_DATABASE_STACK_NAMES.map((name, index) => [name, ownDatabaseStacks[index]!])) as Record<OwnDatabaseStackName, StackInfo>,
        redisKeyPrefix: keys.prefix,
        telemetryReceiverUrl: receiver.url,
        webhookReceiverUrl: webhooks.url,
        oauthProviders: mocks[0]!.info,
      },
      close,
    };
  } catch (error) {
    await close().catch(() => {}); // the failure to start is the one to report
    throw error;
  }
}

// Run as a program (by the test suite's globalSetup): prints the stacks as one JSON line when
// ready; closes them, drops the database and deletes the run's Redis keys on SIGTERM, SIGINT or
// when stdin closes (the parent died).
if (import.meta.main) {
  const { stacks, close } = await startTestStacks();
  process.stdout.write(JSON.stringify(stacks) + "\n");
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    try {
      await close();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`the test stacks did not clean up: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
  process.stdin.resume().once("end", () => void stop());
}
