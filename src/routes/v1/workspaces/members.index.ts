import { createRouter } from "../../../lib/create-router";

/** Routes under `/v1/workspaces`; mounted by ./index.ts. */
export const membersRoutes = createRouter();
