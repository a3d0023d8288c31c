import { createRouter } from "../../../lib/create-router";

/** `GET`, `PATCH` and `DELETE /v1/me` (routes arrive with the accounts work). */
export const me = createRouter();
