import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookSources } from "../../../src/db/schema";
import { db } from "../../helpers/accounts";
import { expectProblem } from "../../helpers/problem";
import { countDatabaseRoundTrips } from "../../helpers/round-trips";
import { auditOf, expectStatus } from "../workspaces/requests";
import { ed25519Pair, hookSetting } from "./helpers";

describe("webhook sources", () => {
  it("shows a generated secret once, in the create answer, and stores it sealed", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github", name: "Deploys" });
    expect(source).toEqual({
      id: expect.stringMatching(/^whs_/),
      kind: "github",
      name: "Deploys",
      verification: "hmac-sha256",
      url: `/v1/hooks/${source.id}`,
      createdBy: setting.owner.id,
      createdAt: expect.any(String),
      secret: expect.stringMatching(/^whsec_/),
    });
    const [row] = await db.select().from(webhookSources).where(eq(webhookSources.id, source.id));
    expect(row!.secretSealed).toMatch(/^v1\./);
    expect(row!.secretSealed).not.toContain(source.secret!.slice(6));
    const { secret: _, ...shown } = source;
    expect(await expectStatus(await setting.send(setting.admin, "GET", `${setting.sourcesPath}/${source.id}`), 200)).toEqual(shown);
    const list = await expectStatus<{ webhookSources: unknown[] }>(await setting.send(setting.admin, "GET", setting.sourcesPath), 200);
    expect(list.webhookSources).toEqual([shown]);
  });

  it("records creating and deleting a source in the workspace's audit log, without the secret", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github", name: "Audited" });
    await expectStatus(await setting.send(setting.owner, "DELETE", `${setting.sourcesPath}/${source.id}`), 204);
    const audit = await auditOf(setting.workspaceId);
    const rows = audit.filter((row) => row.targetId === source.id).map((row) => [row.action, row.actorId, row.targetType, row.details]);
    expect(rows.sort()).toEqual([
      ["webhook_source.created", setting.owner.id, "webhook_source", { kind: "github", name: "Audited" }],
      ["webhook_source.deleted", setting.owner.id, "webhook_source", null],
    ]);
    expect(await expectStatus(await setting.send(setting.owner, "GET", `${setting.sourcesPath}/${source.id}`), 404)).toMatchObject({ code: "NOT_FOUND" });
  });

  it("never echoes a secret the caller gave", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "github", secret: "a-secret-github-knows-too" });
    expect(source.secret).toBeNull();
  });

  it.each([
    ["a public key for a github source", { kind: "github", publicKey: "whpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }],
    ["a secret and a public key", { kind: "standard", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", publicKey: "whpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }],
    ["a standard secret not in whsec_ form", { kind: "standard", secret: "not-a-standard-secret" }],
    ["a public key of the wrong length", { kind: "standard", publicKey: "whpk_AAAA" }],
    ["an unknown field", { kind: "github", events: ["push"] }],
  ])("refuses %s", async (_, body) => {
    const setting = await hookSetting();
    await expectProblem(await setting.send(setting.owner, "POST", setting.sourcesPath, { name: "Bad", ...body }), { status: 400, code: "VALIDATION_FAILED" });
  });

  it("says a standard source holding a public key verifies ed25519", async () => {
    const setting = await hookSetting();
    const source = await setting.addSource({ kind: "standard", publicKey: (await ed25519Pair()).publicKey });
    const shown = await expectStatus<{ verification: string }>(await setting.send(setting.owner, "GET", `${setting.sourcesPath}/${source.id}`), 200);
    expect(shown.verification).toBe("ed25519");
  });

  it("creates, reads, lists, deletes, lists deliveries and replays in one round trip each after the access check", async () => {
    const setting = await hookSetting();
    await setting.send(setting.owner, "GET", setting.sourcesPath);
    const counted = async (method: string, path: string, body?: unknown) => {
      const { result, roundTrips } = await countDatabaseRoundTrips(() => setting.send(setting.owner, method, path, body));
      return { status: result.status, body: result.status === 204 ? undefined : await result.json<{ id: string }>(), roundTrips };
    };
    const created = await counted("POST", setting.sourcesPath, { kind: "github", name: "Counted" });
    const path = `${setting.sourcesPath}/${created.body!.id}`;
    const figures = [created, await counted("GET", path), await counted("GET", setting.sourcesPath), await counted("GET", `${path}/deliveries`), await counted("DELETE", path)];
    expect(figures.map((figure) => [figure.status, figure.roundTrips])).toEqual([
      [201, 2],
      [200, 2],
      [200, 2],
      [200, 2],
      [204, 2],
    ]);
  });
});
