import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import { requireRole } from "../../../middleware/require-role";
import * as handlers from "./ip-rules.handlers";
import * as routes from "./ip-rules.routes";

/** `/v1/admin/ip-rules`: the runtime IP rules, for platform admins only. */
export const ipRules = createRouter();
ipRules.use("*", authenticate(), requireRole("admin"));
ipRules.openapi(routes.listIpRules, handlers.listIpRules).openapi(routes.createIpRule, handlers.createIpRule).openapi(routes.deleteIpRule, handlers.deleteIpRule);
