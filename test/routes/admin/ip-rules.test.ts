import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { workerBindings } from "../../../dev/stack-info.ts";
import { createApp } from "../../../src/app";
import { createDatabase } from "../../../src/db/client";
import { auditLog, ipRules } from "../../../src/db/schema";
import { newId } from "../../../src/lib/ids";
import { call, type BindingOverrides } from "../../helpers/app";
import { manualClock } from "../../helpers/clock";
import { allowConsoleError } from "../../helpers/expected-noise";
import { bearer, createUser, signIn, testConfig } from "../../helpers/identity";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { clearFaults, ownDatabaseStack, setFault } from "../../helpers/stack";

// The admins' rules apply to every request that reaches their database: this file has one of its own.
const stack = ownDatabaseStack("ip-rules");
const bindings = workerBindings(stack);
const db = createDatabase(testConfig(bindings)).http;
const SECOND = 1000;
const TTL_MS = testConfig(bindings).IP_RULES_TTL_SECONDS * SECOND;
const RULES = "/v1/admin/ip-rules";

type Time = ReturnType<typeof manualClock>;
type Rule = { id: string; cidr: string; action: string; note: string | null; expiresAt: string | null; createdAt: string; createdBy: string };

/** An app standing for one isolate, on the test's clock, bound to this file's database. */
function isolate(time: Time, overrides: BindingOverrides = {}) {
  const app = createApp({ clock: time.clock });
  return (path: string, { ip, ...init }: RequestInit & { ip?: string } = {}) =>
    call(app, path, { ...init, headers: { ...(ip ? { "CF-Connecting-IP": ip } : {}), ...(init.headers as Record<string, string> | undefined) } }, { ...bindings, ...overrides });
}

/** A signed-in user of `role` in this file's database. */
async function signedIn(time: Time, role: "admin" | "user" = "admin") {
  const user = await createUser({ role, stack });
  const tokens = await signIn(user, time.clock, stack);
  return { id: user.id, headers: bearer(tokens.accessToken, { "Content-Type": "application/json" }) };
}

const post = (headers: Record<string, string>, body: unknown, ip?: string): RequestInit & { ip?: string } => ({ method: "POST", headers, body: JSON.stringify(body), ip });

async function addRule(request: ReturnType<typeof isolate>, headers: Record<string, string>, body: Record<string, unknown>): Promise<Rule> {
  const response = await request(RULES, post(headers, body));
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<Rule>();
}

describe("admin IP rules", () => {
  afterEach(async () => {
    await clearFaults(stack);
    await db.delete(ipRules);
  });

  it("adds a deny rule: the isolate that added it refuses the range at once, another within IP_RULES_TTL_SECONDS", async () => {
    const time = manualClock();
    const [first, second] = [isolate(time), isolate(time)];
    const admin = await signedIn(time);
    // Both isolates have read the rules, and hold them, before the change.
    for (const request of [first, second]) expect((await request("/v1/openapi.json", { ip: "203.0.113.9" })).status).toBe(200);

    const rule = await addRule(first, admin.headers, { cidr: "203.0.113.77/24", action: "deny", note: "scraper" });
    expect(rule).toMatchObject({ cidr: "203.0.113.0/24", action: "deny", note: "scraper", expiresAt: null, createdBy: admin.id });
    await expectProblem(await first("/v1/openapi.json", { ip: "203.0.113.9" }), { status: 403, code: "FORBIDDEN" });

    time.advance(TTL_MS - 1);
    expect((await second("/v1/openapi.json", { ip: "203.0.113.9" })).status).toBe(200);
    time.advance(1);
    await expectProblem(await second("/v1/openapi.json", { ip: "203.0.113.9" }), { status: 403, code: "FORBIDDEN" });
    expect((await second("/v1/openapi.json", { ip: "203.0.114.9" })).status).toBe(200);
  });

  it("deletes an IPv6 deny rule: lifted at once where deleted, within IP_RULES_TTL_SECONDS elsewhere", async () => {
    const time = manualClock();
    const [first, second] = [isolate(time), isolate(time)];
    const admin = await signedIn(time);
    const rule = await addRule(first, admin.headers, { cidr: "2001:DB8:BAD:0::1/48", action: "deny" });
    expect(rule.cidr).toBe("2001:db8:bad::/48");
    for (const request of [first, second]) await expectProblem(await request("/v1/openapi.json", { ip: "2001:db8:bad:ffff::1" }), { status: 403, code: "FORBIDDEN" });
    expect((await second("/v1/openapi.json", { ip: "2001:db8:bad0::1" })).status).toBe(200);

    expect((await first(`${RULES}/${rule.id}`, { method: "DELETE", headers: admin.headers })).status).toBe(204);
    expect((await first("/v1/openapi.json", { ip: "2001:db8:bad:ffff::1" })).status).toBe(200);
    time.advance(TTL_MS - 1);
    await expectProblem(await second("/v1/openapi.json", { ip: "2001:db8:bad:ffff::1" }), { status: 403, code: "FORBIDDEN" });
    time.advance(1);
    expect((await second("/v1/openapi.json", { ip: "2001:db8:bad:ffff::1" })).status).toBe(200);
  });

  it("admits only an allow rule's range once there is one: other IPv6 ranges and every IPv4 client are refused", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    await addRule(request, admin.headers, { cidr: "2001:db8:600d::/48", action: "allow" });
    expect((await request("/v1/openapi.json", { ip: "2001:db8:600d:1::1" })).status).toBe(200);
    await expectProblem(await request("/v1/openapi.json", { ip: "2001:db8:600e::1" }), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await request("/v1/openapi.json", { ip: "192.0.2.1" }), { status: 403, code: "FORBIDDEN" });
  });

  it("lets a deny rule win over the allow rule that holds the same client", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    await addRule(request, admin.headers, { cidr: "198.51.100.0/24", action: "allow" });
    await addRule(request, admin.headers, { cidr: "198.51.100.128/25", action: "deny" });
    expect((await request("/v1/openapi.json", { ip: "198.51.100.1" })).status).toBe(200);
    await expectProblem(await request("/v1/openapi.json", { ip: "198.51.100.200" }), { status: 403, code: "FORBIDDEN" });
  });

  it("stores an IPv4-mapped IPv6 range as IPv4, and matches IPv4-mapped clients against it", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    expect((await addRule(request, admin.headers, { cidr: "::ffff:198.51.100.0/120", action: "deny" })).cidr).toBe("198.51.100.0/24");
    await expectProblem(await request("/v1/openapi.json", { ip: "198.51.100.5" }), { status: 403, code: "FORBIDDEN" });
    await expectProblem(await request("/v1/openapi.json", { ip: "::ffff:198.51.100.5" }), { status: 403, code: "FORBIDDEN" });
  });

  it("stops applying a rule at its expiry, without reading the rules again, and keeps listing it until it is deleted", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    const expiresAt = new Date(time.clock() + 10 * SECOND).toISOString();
    const rule = await addRule(request, admin.headers, { cidr: "203.0.113.0/24", action: "deny", expiresAt });
    expect(rule.expiresAt).toBe(expiresAt);
    await expectProblem(await request("/v1/openapi.json", { ip: "203.0.113.9" }), { status: 403, code: "FORBIDDEN" });

    time.advance(10 * SECOND - 1);
    await expectProblem(await request("/v1/openapi.json", { ip: "203.0.113.9" }), { status: 403, code: "FORBIDDEN" });
    time.advance(1);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => request("/v1/openapi.json", { ip: "203.0.113.9" }), stack);
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(0);
    // An isolate reading the rules now does not apply the expired one either.
    expect((await isolate(time)("/v1/openapi.json", { ip: "203.0.113.9" })).status).toBe(200);
    const listed = await (await request(RULES, { headers: admin.headers })).json<{ rules: Rule[] }>();
    expect(listed.rules.map(({ id }) => id)).toEqual([rule.id]);
  });

  it("reads the rules at most once per isolate per IP_RULES_TTL_SECONDS, however many requests come at once", async () => {
    const time = manualClock();
    const request = isolate(time);
    const burst = () => Promise.all(Array.from({ length: 5 }, (_, index) => request("/v1/openapi.json", { ip: `192.0.2.${index + 1}` })));
    const cold = await countDatabaseRoundTrips(burst, stack);
    expect(cold.result.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(cold.roundTrips).toBe(1);
    expect(cold.statements[0]).toMatch(/from "ip_rules"/);

    time.advance(TTL_MS - 1);
    expect((await countDatabaseRoundTrips(burst, stack)).roundTrips).toBe(0);
    time.advance(1);
    expect((await countDatabaseRoundTrips(burst, stack)).roundTrips).toBe(1);
    // No address, no rule to apply: nothing read.
    expect((await countDatabaseRoundTrips(() => isolate(time)("/v1/openapi.json"), stack)).roundTrips).toBe(0);
  });

  it("keeps applying the last rules read while the database cannot be read, and refuses with 503 where none were read", async () => {
    allowConsoleError(/"msg":"dependency unavailable"/, "the cold isolate cannot read the rules; onError logs the 503");
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    await addRule(request, admin.headers, { cidr: "203.0.113.0/24", action: "deny" });
    expect((await request("/v1/openapi.json", { ip: "192.0.2.1" })).status).toBe(200);

    await setFault("neonHttp", { errorStatus: 500 }, stack);
    time.advance(TTL_MS);
    await expectProblem(await request("/v1/openapi.json", { ip: "203.0.113.9" }), { status: 403, code: "FORBIDDEN" });
    expect((await request("/v1/openapi.json", { ip: "192.0.2.1" })).status).toBe(200);
    expect(warnings.mock.calls.map(([line]) => JSON.parse(String(line)).msg)).toEqual(["ip rules not read; the last ones read still apply"]);

    const cold = await isolate(time)("/v1/openapi.json", { ip: "192.0.2.1" });
    await expectProblem(cold, { status: 503, code: "SERVICE_UNAVAILABLE" });
    expect(Number(cold.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await isolate(time)("/v1/openapi.json")).status).toBe(200);

    await clearFaults(stack);
    time.advance(5 * SECOND);
    const { result, roundTrips } = await countDatabaseRoundTrips(() => request("/v1/openapi.json", { ip: "203.0.113.9" }), stack);
    expect(result.status).toBe(403);
    expect(roundTrips).toBe(1);
    warnings.mockRestore();
  });

  it("lists the admins' rules newest first with the configuration's, in one round trip after authentication", async () => {
    const time = manualClock();
    const request = isolate(time, { IP_DENY: "192.0.2.0/24", IP_ALLOW: "" });
    const admin = await signedIn(time);
    const older = await addRule(request, admin.headers, { cidr: "203.0.113.0/24", action: "deny" });
    time.advance(1);
    const newer = await addRule(request, admin.headers, { cidr: "2001:db8::/32", action: "allow", note: "office" });
    const { result, roundTrips } = await countDatabaseRoundTrips(() => request(RULES, { headers: admin.headers }), stack);
    expect(roundTrips).toBe(1);
    expect(result.headers.get("Cache-Control")).toBe("no-store");
    expect(await result.json()).toEqual({ rules: [newer, older], configured: { deny: ["192.0.2.0/24"], allow: [] } });
  });

  it("writes each change with its audit row: two round trips each after authentication", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    await request(RULES, { headers: admin.headers });
    const created = await countDatabaseRoundTrips(() => request(RULES, post(admin.headers, { cidr: "203.0.113.0/24", action: "deny" })), stack);
    expect(created.roundTrips).toBe(2);
    const rule = await created.result.json<Rule>();
    const deleted = await countDatabaseRoundTrips(() => request(`${RULES}/${rule.id}`, { method: "DELETE", headers: admin.headers }), stack);
    expect(deleted.result.status).toBe(204);
    expect(deleted.roundTrips).toBe(2);

    const audited = await db.select().from(auditLog).where(and(eq(auditLog.targetType, "ip_rule"), eq(auditLog.targetId, rule.id)));
    expect(audited.map(({ action, actorId }) => ({ action, actorId })).sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: "ip_rule.created", actorId: admin.id },
      { action: "ip_rule.deleted", actorId: admin.id },
    ]);
    expect(await db.select().from(ipRules)).toEqual([]);
  });

  it("refuses a user who is not an admin with 403 and an anonymous caller with 401, changing nothing", async () => {
    const time = manualClock();
    const request = isolate(time);
    const [user, admin] = await Promise.all([signedIn(time, "user"), signedIn(time)]);
    const rule = await addRule(request, admin.headers, { cidr: "203.0.113.0/24", action: "deny" });
    const attempts: Array<[string, RequestInit]> = [
      [RULES, {}],
      [RULES, post({ "Content-Type": "application/json" }, { cidr: "198.51.100.0/24", action: "allow" })],
      [`${RULES}/${rule.id}`, { method: "DELETE" }],
    ];
    for (const [path, init] of attempts) {
      await expectProblem(await request(path, { ...init, headers: { ...user.headers, ...(init.headers as Record<string, string>) } }), { status: 403, code: "FORBIDDEN" });
      await expectProblem(await request(path, init), { status: 401, code: "UNAUTHORIZED" });
    }
    expect((await db.select().from(ipRules)).map(({ id }) => id)).toEqual([rule.id]);
  });

  it("refuses an invalid rule with 400: a malformed range, another field, an unknown action, a long note, an expiry not in the future", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    const invalid = [
      { cidr: "010.1.2.3/8", action: "deny" },
      { cidr: "203.0.113.0/33", action: "deny" },
      { cidr: "203.0.113.0/24", action: "deny", enabled: true },
      { cidr: "203.0.113.0/24", action: "block" },
      { cidr: "203.0.113.0/24", action: "deny", note: "x".repeat(201) },
      { cidr: "203.0.113.0/24", action: "deny", expiresAt: "tomorrow" },
    ];
    for (const body of invalid) await expectProblem(await request(RULES, post(admin.headers, body)), { status: 400, code: "VALIDATION_FAILED" });
    const past = await request(RULES, post(admin.headers, { cidr: "203.0.113.0/24", action: "deny", expiresAt: new Date(time.clock()).toISOString() }));
    expect((await expectProblem(past, { status: 400, code: "VALIDATION_FAILED" })).errors).toEqual([expect.objectContaining({ path: "expiresAt" })]);
    expect(await db.select().from(ipRules)).toEqual([]);
  });

  it("answers 404 for a rule that does not exist", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    for (const id of [newId("ipRule"), "not-an-id"]) await expectProblem(await request(`${RULES}/${id}`, { method: "DELETE", headers: admin.headers }), { status: 404, code: "NOT_FOUND" });
  });

  it("refuses a rule past the limit of 1,000, expired ones counted until deleted", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    const past = new Date(time.clock() - SECOND);
    await db.insert(ipRules).values(
      Array.from({ length: 1000 }, (_, index) => ({ id: newId("ipRule"), cidr: `10.${index >> 8}.${index & 255}.0/24`, action: "deny" as const, expiresAt: past, createdBy: admin.id })),
    );
    const refused = await request(RULES, post(admin.headers, { cidr: "203.0.113.0/24", action: "deny" }));
    expect((await expectProblem(refused, { status: 409, code: "CONFLICT" })).detail).toContain("1000");
    const [oldest] = await db.select({ id: ipRules.id }).from(ipRules).limit(1);
    expect((await request(`${RULES}/${oldest!.id}`, { method: "DELETE", headers: admin.headers })).status).toBe(204);
    await addRule(request, admin.headers, { cidr: "203.0.113.0/24", action: "deny" });
  });

  it("refuses a change that would refuse the admin's own address, adding or deleting", async () => {
    const time = manualClock();
    const request = isolate(time);
    const admin = await signedIn(time);
    const from = "203.0.113.5";
    const locksOut = async (response: Response) => expect((await expectProblem(response, { status: 409, code: "CONFLICT" })).detail).toContain("your own address");

    await locksOut(await request(RULES, post(admin.headers, { cidr: "203.0.113.0/24", action: "deny" }, from)));
    await locksOut(await request(RULES, post(admin.headers, { cidr: "198.51.100.0/24", action: "allow" }, from)));
    const own = await (await request(RULES, post(admin.headers, { cidr: "203.0.113.0/24", action: "allow" }, from))).json<Rule>();
    const other = await (await request(RULES, post(admin.headers, { cidr: "198.51.100.0/24", action: "allow" }, from))).json<Rule>();
    await locksOut(await request(`${RULES}/${own.id}`, { method: "DELETE", headers: admin.headers, ip: from }));
    expect((await request(`${RULES}/${other.id}`, { method: "DELETE", headers: admin.headers, ip: from })).status).toBe(204);
    // Deleting the last allow rule opens the API to everyone again, the admin included.
    expect((await request(`${RULES}/${own.id}`, { method: "DELETE", headers: admin.headers, ip: from })).status).toBe(204);
    expect(await db.select().from(ipRules)).toEqual([]);
  });
});
