import { createRouter } from "../../../lib/create-router";
import { accounts } from "./accounts.index";
import { sessions } from "./sessions.index";

/** Everything under /v1/auth: sessions (login, refresh, logout, the session list) and accounts. */
export const auth = createRouter();
auth.route("/", sessions);
auth.route("/", accounts);
