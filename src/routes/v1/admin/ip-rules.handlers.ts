import type { Context } from "hono";
import type { AppEnv } from "../../../lib/app-env";
import type { AppRouteHandler } from "../../../lib/create-router";
import { requestMeta } from "../../../lib/request-meta";
import { clientAddress } from "../../../middleware/ip-rules";
import { createIpRule as createRule, deleteIpRule as deleteRule, listIpRules as listRules, type IpRuleActor, type IpRuleDeps, type IpRuleRow } from "../../../services/ip-rules";
import { currentAuth } from "../auth/context";
import type { CreateIpRuleRoute, DeleteIpRuleRoute, ListIpRulesRoute } from "./ip-rules.routes";

const NO_STORE = { "Cache-Control": "no-store" };

export const listIpRules: AppRouteHandler<ListIpRulesRoute> = async (c) => {
  const { IP_DENY, IP_ALLOW } = c.var.config;
  const rules = await listRules(c.var.services.db);
  const configured = { deny: IP_DENY.ranges.map((range) => range.cidr), allow: IP_ALLOW.ranges.map((range) => range.cidr) };
  return c.json({ rules: rules.map(toResponse), configured }, 200, NO_STORE);
};

export const createIpRule: AppRouteHandler<CreateIpRuleRoute> = async (c) => {
  const { cidr, action, note, expiresAt } = c.req.valid("json");
  const rule = await createRule(ipRuleDeps(c), { cidr, action, note, expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt) }, actor(c), requestMeta(c));
  // This isolate applies the change from its next request; the others within their TTL.
  c.var.services.ipRules.forget();
  return c.json(toResponse(rule), 201, NO_STORE);
};

export const deleteIpRule: AppRouteHandler<DeleteIpRuleRoute> = async (c) => {
  await deleteRule(ipRuleDeps(c), c.req.valid("param").id, actor(c), requestMeta(c));
  c.var.services.ipRules.forget();
  return c.body(null, 204);
};

function ipRuleDeps(c: Context<AppEnv>): IpRuleDeps {
  const { config, services } = c.var;
  return { db: services.db, clock: services.clock, configured: { deny: config.IP_DENY, allow: config.IP_ALLOW } };
}

function actor(c: Context<AppEnv>): IpRuleActor {
  return { userId: currentAuth(c).userId, address: clientAddress(c) };
}

/** A rule as the API shows it: times in ISO 8601. */
function toResponse(rule: IpRuleRow) {
  return {
    id: rule.id,
    cidr: rule.cidr,
    action: rule.action,
    note: rule.note,
    expiresAt: rule.expiresAt?.toISOString() ?? null,
    createdAt: rule.createdAt.toISOString(),
    createdBy: rule.createdBy,
  };
}
