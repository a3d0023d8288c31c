import { createRouter } from "../../lib/create-router";
import * as handlers from "./dev.handlers";
import * as routes from "./dev.routes";

/**
 * `GET /dev/outbox?to=<address>`: the mails the outbox mailer kept, for a developer running
 * `npm run dev` and for the tests. A 404 unless APP_ENV is development or test.
 */
export const devTools = createRouter();
devTools.use("/dev/*", handlers.localOnly());
devTools.openapi(routes.outbox, handlers.outbox);
