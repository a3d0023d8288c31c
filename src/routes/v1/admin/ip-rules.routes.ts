import { createRoute, z } from "@hono/zod-openapi";
import { IP_RULE_ACTIONS, IP_RULE_NOTE_MAX } from "../../../db/schema";
import { parseIpRange } from "../../../lib/ip-ranges";
import { BEARER_AUTH, jsonBody, problemResponse } from "../../../lib/openapi";

const IpRuleSchema = z
  .object({
    id: z.string(),
    cidr: z.string().openapi({ description: "Normalised: the network address and its prefix length; IPv4-mapped IPv6 as IPv4.", example: "203.0.113.0/24" }),
    action: z.enum(IP_RULE_ACTIONS),
    note: z.string().nullable(),
    expiresAt: z.iso.datetime().nullable().openapi({ description: "When the rule stops applying; null for never. An expired rule stays listed until deleted." }),
    createdAt: z.iso.datetime(),
    createdBy: z.string().openapi({ description: "The admin who added it." }),
  })
  .openapi("IpRule");

const IpRuleListSchema = z
  .object({
    rules: z.array(IpRuleSchema).openapi({ description: "The admins' rules, newest first, expired ones included." }),
    configured: z
      .object({ deny: z.array(z.string()), allow: z.array(z.string()) })
      .openapi({ description: "The configuration's rules (IP_DENY, IP_ALLOW), which apply too; changed only by a deploy." }),
  })
  .openapi("IpRuleList");

const CreateIpRuleSchema = z
  .object({
    cidr: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .refine((cidr) => parseIpRange(cidr) !== undefined, "must be an IPv4 or IPv6 CIDR or address, e.g. 203.0.113.0/24")
      .openapi({ description: "A CIDR, or one address (a /32 or /128). Stored normalised.", example: "203.0.113.0/24" }),
    action: z.enum(IP_RULE_ACTIONS).openapi({ description: "`deny` refuses the range; `allow` puts it on the allow list, which, once not empty, admits only its ranges." }),
    note: z.string().trim().min(1).max(IP_RULE_NOTE_MAX).optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: "When the rule stops applying; in the future." }),
  })
  .strict()
  .openapi("CreateIpRule");

const IpRuleIdParams = z.object({ id: z.string().max(64).openapi({ param: { name: "id", in: "path" } }) });

const security = BEARER_AUTH;
const tags = ["Admin"];
const unauthorized = problemResponse("No valid access token.");
const forbidden = problemResponse("The caller is not a platform admin.");

export const listIpRules = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  summary: "The IP rules: the admins' and the configuration's.",
  responses: {
    200: { description: "The rules.", content: { "application/json": { schema: IpRuleListSchema } } },
    401: unauthorized,
    403: forbidden,
  },
});

export const createIpRule = createRoute({
  method: "post",
  path: "/",
  tags,
  security,
  summary: "Add an allow or deny rule; every isolate applies it within IP_RULES_TTL_SECONDS.",
  request: { body: jsonBody(CreateIpRuleSchema) },
  responses: {
    201: { description: "Added.", content: { "application/json": { schema: IpRuleSchema } } },
    400: problemResponse("The body is not a valid rule, or its expiry is not in the future."),
    401: unauthorized,
    403: forbidden,
    409: problemResponse("There are as many rules as allowed, or the rule would refuse the caller's own address."),
  },
});

export const deleteIpRule = createRoute({
  method: "delete",
  path: "/{id}",
  tags,
  security,
  summary: "Delete a rule; every isolate stops applying it within IP_RULES_TTL_SECONDS.",
  request: { params: IpRuleIdParams },
  responses: {
    204: { description: "Deleted." },
    401: unauthorized,
    403: forbidden,
    404: problemResponse("No such rule."),
    409: problemResponse("Without this rule the caller's own address would be refused."),
  },
});

export type ListIpRulesRoute = typeof listIpRules;
export type CreateIpRuleRoute = typeof createIpRule;
export type DeleteIpRuleRoute = typeof deleteIpRule;
