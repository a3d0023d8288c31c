// vitest setupFiles of the workers project. One workerd runs file after file (isolate: false), and
// the Neon driver's settings are process-wide: the conformance suite points them at its own stacks.
// Every file starts with them pointed at the run's stack again, so a database a helper made at
// import (test/helpers/accounts.ts) never queries another stack's.
import { beforeAll } from "vitest";
import { configureNeon } from "../src/db/neon-config";
import { testConfig } from "./helpers/identity";

beforeAll(() => {
  const config = testConfig();
  configureNeon({ httpEndpoint: config.NEON_HTTP_ENDPOINT, wsProxy: config.NEON_WS_PROXY });
});
