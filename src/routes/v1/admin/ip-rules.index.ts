import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import { requireRole } from "../../../middleware/require-role";
import * as handlers from "./ip-rules.handlers";
import * as routes from "./ip-rules.routes";

const router = createRouter();
router.use("*", authenticate(), requireRole("admin"));
/** `/v1/admin/ip-rules`: the runtime IP rules, for platform admins only. */
export const ipRules = router
  .openapi(routes.listIpRules, handlers.listIpRules)
  .openapi(routes.createIpRule, handlers.createIpRule)
  .openapi(routes.deleteIpRule, handlers.deleteIpRule);
