import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { mailOutbox } from "../../src/db/schema";
import { retryDelaySeconds } from "../../src/jobs/mail";
import { createOpaqueToken } from "../../src/lib/tokens";
import { db } from "../helpers/accounts";
import { uniqueEmail } from "../helpers/identity";
import { deliverMail } from "../helpers/mail";
import { testStack } from "../helpers/stack";

const outbox = (to: string) => db.select().from(mailOutbox).where(eq(mailOutbox.to, to));

describe("the mail queue consumer", () => {
  it("renders a message in its language, sends it through the mailer and acknowledges it", async () => {
    const to = uniqueEmail("queued");
    const token = createOpaqueToken("verification");
    const result = await deliverMail([{ template: "verify-email", to, locale: "es", token }]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
    const [mail] = await outbox(to);
    expect(mail).toMatchObject({ template: "verify-email", locale: "es", subject: "Confirme su dirección de correo electrónico" });
    expect(mail!.text).toContain(`http://localhost:3000/verify-email?token=${token}`);
  });

  it("handles each message of a batch on its own", async () => {
    const [first, second] = [uniqueEmail("first"), uniqueEmail("second")];
    const result = await deliverMail([
      { template: "password-changed", to: first, locale: "de" },
      { template: "account-exists", to: second, locale: "en" },
    ]);
    expect(result.explicitAcks.sort()).toEqual([...result.ids].sort());
    expect(await outbox(first)).toEqual([expect.objectContaining({ template: "password-changed", subject: "Ihr Passwort wurde geändert" })]);
    expect(await outbox(second)).toEqual([expect.objectContaining({ template: "account-exists" })]);
  });

  it.each([
    ["an unknown template", { template: "newsletter", to: "ada@example.com", locale: "en" }],
    ["a password", { template: "password-changed", to: "ada@example.com", locale: "en", password: "hunter2 hunter2" }],
    ["a token of the wrong kind", { template: "verify-email", to: "ada@example.com", locale: "en", token: createOpaqueToken("reset") }],
    ["no recipient", { template: "account-exists", locale: "en" }],
    ["not an object", "verify ada@example.com"],
  ])("drops a message carrying %s, logging why without its values, and sends nothing", async (_, body) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await deliverMail([body]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);
    expect(await outbox("ada@example.com")).toEqual([]);
    const logged = errors.mock.calls.map(([line]) => String(line));
    expect(logged).toEqual([expect.stringContaining('"msg":"mail message refused"')]);
    expect(logged.join("\n")).not.toMatch(/ada@example\.com|hunter2|[vp]t_/);
    errors.mockRestore();
  });

  it("retries a mail the provider did not take, waiting longer after each attempt", async () => {
    const provider = { MAIL_TRANSPORT: "provider", MAIL_API_URL: `${testStack().controlUrl}/emails`, MAIL_API_KEY: "re_test", MAIL_FROM: "no-reply@example.test" };
    const notice = () => ({ template: "password-changed", to: uniqueEmail(), locale: "en" });
    const first = await deliverMail([notice()], { bindings: provider });
    const third = await deliverMail([notice()], { bindings: provider, attempts: 3 });
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toEqual([expect.objectContaining({ msgId: first.ids[0] })]);
    expect([first.retryDelays, third.retryDelays]).toEqual([[30], [120]]);
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 480, 600, 600]);
  });

  it("puts the whole batch back while the configuration is broken", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await deliverMail([{ template: "account-exists", to: uniqueEmail(), locale: "en" }], { bindings: { APP_URL: undefined } });
    expect(result.retryBatch).toMatchObject({ retry: true });
    expect(result.explicitAcks).toEqual([]);
    expect(errors.mock.calls.map(([line]) => String(line))).toEqual([expect.stringContaining('"settings":["APP_URL"]')]);
    errors.mockRestore();
  });
});
