import { desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Database } from "../db/client";
import { ipRules, type IP_RULE_ACTIONS } from "../db/schema";
import type { Clock } from "../lib/clock";
import { ApiError, invalidField } from "../lib/errors";
import { isId, newId } from "../lib/ids";
import { admits, type IpRules } from "../lib/ip-access";
import { IpRangeList, parseIpRange, type IpAddress, type IpRange } from "../lib/ip-ranges";
import type { RequestMeta } from "../lib/request-meta";
import { auditInsert } from "./identity/audit";

export type IpRuleAction = (typeof IP_RULE_ACTIONS)[number];
export type IpRuleRow = typeof ipRules.$inferSelect;

/**
 * Rules the admins may keep, expired ones included until they are deleted: it bounds the list, what
 * each isolate holds and what each request is matched against.
 */
export const MAX_IP_RULES = 1000;

/** A rule as an isolate applies it. */
export interface ActiveIpRule {
  range: IpRange;
  action: IpRuleAction;
  /** Milliseconds since the epoch; null for never. */
  expiresAt: number | null;
}

export interface IpRuleDeps {
  db: Database;
  clock: Clock;
  /** The configuration's rules (IP_DENY, IP_ALLOW), which apply together with the admins'. */
  configured: IpRules;
}

/** Who changes the rules: an admin, and the address their request came from (none without CF-Connecting-IP). */
export interface IpRuleActor {
  userId: string;
  address: IpAddress | undefined;
}

export interface NewIpRule {
  cidr: string;
  action: IpRuleAction;
  note?: string;
  expiresAt?: Date;
}

/** Every rule, expired ones too, newest first: one round trip. */
export function listIpRules(db: Database): Promise<IpRuleRow[]> {
  return db.http.select().from(ipRules).orderBy(desc(ipRules.createdAt), ipRules.id);
}

/** The rules in force at `now`, parsed: what an isolate's cache reads, in one round trip. */
export async function readActiveIpRules(db: Database, now: number): Promise<ActiveIpRule[]> {
  const rows = await db.http
    .select({ id: ipRules.id, cidr: ipRules.cidr, action: ipRules.action, expiresAt: ipRules.expiresAt })
    .from(ipRules)
    .where(or(isNull(ipRules.expiresAt), gt(ipRules.expiresAt, new Date(now))));
  return rows.map(toActiveRule);
}

/** The admins' rules that apply at `now`, as allow and deny lists. */
export function compileIpRules(rules: readonly ActiveIpRule[], now: number): IpRules {
  const active = rules.filter((rule) => rule.expiresAt === null || rule.expiresAt > now);
  const list = (action: IpRuleAction) => new IpRangeList(active.filter((rule) => rule.action === action).map((rule) => rule.range));
  return { deny: list("deny"), allow: list("allow") };
}

/**
 * Adds a rule, with its audit row in the same batch: two round trips, a read of the rules for the
 * limit and the lock-out check, then the write. Refuses (409) past MAX_IP_RULES, and a rule under
 * which the admin's own address would be refused. The limit is checked against that read, so
 * admins adding rules at the same instant can pass it by one each; it bounds memory, not access.
 */
export async function createIpRule(deps: IpRuleDeps, rule: NewIpRule, actor: IpRuleActor, meta: RequestMeta): Promise<IpRuleRow> {
  const range = parseIpRange(rule.cidr);
  if (!range) throw invalidField("cidr", "must be an IPv4 or IPv6 CIDR or address");
  const now = deps.clock();
  if (rule.expiresAt && rule.expiresAt.getTime() <= now) throw invalidField("expiresAt", "must be in the future");
  const existing = await listIpRules(deps.db);
  if (existing.length >= MAX_IP_RULES) throw new ApiError("CONFLICT", { detail: "ipRuleLimit", params: { limit: MAX_IP_RULES } });
  const added: ActiveIpRule = { range, action: rule.action, expiresAt: rule.expiresAt?.getTime() ?? null };
  refuseLockOut(deps, actor, [...existing.map(toActiveRule), added], now);

  const id = newId("ipRule");
  const [[created]] = await deps.db.http.batch([
    deps.db.http
      .insert(ipRules)
      .values({ id, cidr: range.cidr, action: rule.action, note: rule.note ?? null, expiresAt: rule.expiresAt ?? null, createdAt: new Date(now), createdBy: actor.userId })
      .returning(),
    auditInsert(deps.db, { action: "ip_rule.created", actorId: actor.userId, target: { type: "ip_rule", id } }, meta, new Date(now)),
  ]);
  return created!;
}

/**
 * Deletes rule `id`, with its audit row in the same batch: two round trips, as for adding. Unknown
 * ids are 404; a deletion under which the admin's own address would be refused (the allow rule that
 * lets them in, while others remain) is 409. Two admins deleting one rule at once both succeed, and
 * both are audited: each asked for it.
 */
export async function deleteIpRule(deps: IpRuleDeps, id: string, actor: IpRuleActor, meta: RequestMeta): Promise<void> {
  if (!isId("ipRule", id)) throw new ApiError("NOT_FOUND");
  const existing = await listIpRules(deps.db);
  if (!existing.some((rule) => rule.id === id)) throw new ApiError("NOT_FOUND");
  const now = deps.clock();
  refuseLockOut(deps, actor, existing.filter((rule) => rule.id !== id).map(toActiveRule), now);
  await deps.db.http.batch([
    deps.db.http.delete(ipRules).where(eq(ipRules.id, id)),
    auditInsert(deps.db, { action: "ip_rule.deleted", actorId: actor.userId, target: { type: "ip_rule", id } }, meta, new Date(now)),
  ]);
}

/**
 * An admin who locks their own address out cannot undo it through the API; the database or the
 * rule's expiry would have to. Requests without an address are matched by no rule, so nothing to check.
 */
function refuseLockOut(deps: IpRuleDeps, actor: IpRuleActor, after: readonly ActiveIpRule[], now: number): void {
  if (!actor.address) return;
  if (!admits(actor.address, [deps.configured, compileIpRules(after, now)])) throw new ApiError("CONFLICT", { detail: "ipRuleLocksOutCaller" });
}

function toActiveRule(row: Pick<IpRuleRow, "id" | "cidr" | "action" | "expiresAt">): ActiveIpRule {
  const range = parseIpRange(row.cidr);
  // The column's type admits only CIDRs; one this parser refuses means the two disagree.
  if (!range) throw new Error(`ip rule ${row.id} holds a range the API cannot read`);
  return { range, action: row.action, expiresAt: row.expiresAt?.getTime() ?? null };
}
