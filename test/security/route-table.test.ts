import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { PERMISSIONS, ROLE_PERMISSIONS, type Permission } from "../../src/lib/permissions";
import { call } from "../helpers/app";
import { createUser } from "../helpers/identity";
import { openApiDocument } from "../helpers/openapi-document";
import { issueKey } from "./fixtures";
import { accessTokenOf, createCast, createWorld, PRINCIPALS, ROLE_PRINCIPALS, type Cast, type Principal, type World } from "./principals";
import { bodyOf, ROUTE_TABLE, type RouteEntry } from "./route-table";

// One isolate for the whole table, as production would have.
const app = createApp();
let cast: Cast;
let permissions: Map<string, Permission>;

beforeAll(async () => {
  cast = await createCast();
  permissions = await routePermissions();
});

/** Every route the app serves, as `METHOD /path` in Hono's spelling. */
function appRoutes(): string[] {
  return [...new Set(app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`))];
}

/** The permission each operation of the OpenAPI document names in `x-permission`, by route. */
async function routePermissions(): Promise<Map<string, Permission>> {
  const { document } = await openApiDocument();
  const found = new Map<string, Permission>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const permission = (operation as { "x-permission"?: Permission })["x-permission"];
      if (permission) found.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`, permission);
    }
  }
  return found;
}

function expectedStatus(entry: RouteEntry, principal: Principal, permission: Permission | undefined): number {
  const override = entry.overrides?.[principal];
  if (override !== undefined) return override;
  if (entry.access === "public") return entry.ok;
  if (principal === "anonymous") return 401;
  const isKey = principal === "keyWithScope" || principal === "keyWithoutScope";
  if (entry.access === "user") return isKey ? 401 : entry.ok;
  if (entry.access === "platformAdmin") return isKey ? 401 : principal === "platformAdmin" ? entry.ok : 403;
  if (entry.access === "member") return isKey ? 401 : principal === "outsider" || principal === "platformAdmin" ? 404 : entry.ok;
  if (isKey && "userOnly" in entry && entry.userOnly) return 401;
  if (principal === "outsider" || principal === "platformAdmin") return 404;
  if (principal === "keyWithScope") return entry.ok;
  if (principal === "keyWithoutScope") return 403;
  return ROLE_PERMISSIONS[principal].has(permission!) ? entry.ok : 403;
}

/** The `Authorization` a principal sends: a fresh session's access token, or a key of workspace A. */
async function credentials(principal: Principal, world: World, entry: RouteEntry, permission: Permission | undefined): Promise<Record<string, string>> {
  if (principal === "anonymous") return {};
  if (principal === "keyWithScope" || principal === "keyWithoutScope") {
    // Outside a workspace route any scope will do: the key is refused for what it is.
    const needed = permission ?? "workspace:read";
    const scopes = principal === "keyWithScope" ? [needed] : PERMISSIONS.filter((scope) => scope !== needed);
    return { Authorization: `Bearer ${await issueKey(world.workspaceId, scopes)}` };
  }
  const user = entry.freshUser ? await createUser({ role: principal === "platformAdmin" ? "admin" : "user" }) : principal === "owner" ? world.owner : world.cast[principal];
  return { Authorization: `Bearer ${await accessTokenOf(user)}` };
}

let addresses = 0;
/** Each case its own client address, so no case counts against another's limit. */
const nextAddress = () => `198.18.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

describe("the route table", () => {
  it("has an entry for every route the app serves, and none for a route it does not", () => {
    expect(Object.keys(ROUTE_TABLE).sort()).toEqual(appRoutes().sort());
  });

  it("has every workspace route name its permission in the OpenAPI document, and no other route", () => {
    const workspaceRoutes = Object.entries(ROUTE_TABLE)
      .filter(([, entry]) => entry.access === "workspace")
      .map(([route]) => route)
      .sort();
    expect([...permissions.keys()].sort()).toEqual(workspaceRoutes);
  });

  it("gives each built-in role exactly its permissions from the one matrix", () => {
    expect([...ROLE_PERMISSIONS.owner].sort()).toEqual([...PERMISSIONS].sort());
    expect(ROLE_PERMISSIONS.admin.has("workspace:delete")).toBe(false);
    for (const role of ROLE_PRINCIPALS) expect([...ROLE_PERMISSIONS.viewer].every((permission) => ROLE_PERMISSIONS[role].has(permission))).toBe(true);
    expect([...ROLE_PERMISSIONS.viewer].every((permission) => permission.endsWith(":read"))).toBe(true);
  });
});

describe.each(Object.entries(ROUTE_TABLE))("%s", (route, entry) => {
  it.each(PRINCIPALS)("as %s", async (principal) => {
    const permission = permissions.get(route);
    const world = await createWorld(cast);
    const request = await entry.request({ world, principal });
    const headers: Record<string, string> = { ...(await credentials(principal, world, entry, permission)), "CF-Connecting-IP": nextAddress() };
    const response = await call(app, request.path, { method: request.method ?? "GET", ...bodyOf(request, headers) });
    expect(response.status, `${route} as ${principal}: ${await response.clone().text()}`).toBe(expectedStatus(entry, principal, permission));
  });
});
