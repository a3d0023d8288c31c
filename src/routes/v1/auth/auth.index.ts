import { createRouter } from "../../../lib/create-router";
import { accounts } from "./accounts.index";

/** Everything under /v1/auth: accounts (sessions arrive with the identity branch). */
export const auth = createRouter();
auth.route("/", accounts);
