import { createRouter } from "../../../lib/create-router";

/**
 * Registration, e-mail verification and password reset and change, under /v1/auth.
 * (Routes arrive with the accounts work; see accounts.routes.ts and accounts.handlers.ts.)
 */
export const accounts = createRouter();
