import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../../../src/db/client";
import { mailOutbox } from "../../../src/db/schema";
import { createMailer, MailDeliveryError, providerMailer, type OutgoingMail } from "../../../src/services/mail/mailer";
import { testConfig, uniqueEmail } from "../../helpers/identity";
import { testStack } from "../../helpers/stack";

const PROVIDER = { MAIL_TRANSPORT: "provider", MAIL_API_URL: "https://mail.example.test/emails", MAIL_API_KEY: "re_test_key", MAIL_FROM: "Example <no-reply@example.test>" };
const db = () => createDatabase(testConfig());

function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return { to: uniqueEmail("to"), template: "password-changed", locale: "en", subject: "Subject", text: "Text", html: "<p>HTML</p>", idempotencyKey: crypto.randomUUID(), ...overrides };
}

/** A provider stand-in that records each request and answers `status`. */
function provider(status = 200) {
  const requests: Array<{ url: string; method: string; headers: Headers; body: unknown; signal: AbortSignal | null }> = [];
  const answers: Response[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ url: String(input), method: init?.method ?? "GET", headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)), signal: init?.signal ?? null });
    const answer = new Response(JSON.stringify({ id: "provider-id" }), { status });
    answers.push(answer);
    return answer;
  }) as typeof globalThis.fetch;
  return { fetch, requests, answers };
}

describe("the outbox mailer", () => {
  it("keeps each mail as a row of mail_outbox, where development and the tests read it", async () => {
    const outgoing = mail({ template: "verify-email", locale: "de" });
    await createMailer(testConfig(), { db }).send(outgoing);
    const rows = await db().http.select().from(mailOutbox).where(eq(mailOutbox.to, outgoing.to));
    expect(rows).toEqual([expect.objectContaining({ to: outgoing.to, template: "verify-email", locale: "de", subject: "Subject", text: "Text", html: "<p>HTML</p>" })]);
  });
});

describe("the provider mailer", () => {
  it("POSTs the mail as JSON with the Bearer key and the mail's idempotency key, bounded by a timeout", async () => {
    const { fetch, requests, answers } = provider(200);
    const outgoing = mail();
    await createMailer(testConfig(PROVIDER), { db, fetch }).send(outgoing);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ url: PROVIDER.MAIL_API_URL, method: "POST" });
    expect(request!.headers.get("Authorization")).toBe(`Bearer ${PROVIDER.MAIL_API_KEY}`);
    expect(request!.headers.get("Content-Type")).toBe("application/json");
    expect(request!.headers.get("Idempotency-Key")).toBe(outgoing.idempotencyKey);
    expect(request!.body).toEqual({ from: PROVIDER.MAIL_FROM, to: [outgoing.to], subject: "Subject", text: "Text", html: "<p>HTML</p>" });
    expect(request!.signal).toBeInstanceOf(AbortSignal);
    // The answer's body was not needed, and was cancelled rather than left open.
    expect(answers[0]!.bodyUsed).toBe(true);
  });

  it.each([400, 429, 500, 503])("treats a %i answer as a failure to retry", async (status) => {
    const { fetch, answers } = provider(status);
    const sending = createMailer(testConfig(PROVIDER), { db, fetch }).send(mail());
    await expect(sending).rejects.toThrow(MailDeliveryError);
    await expect(sending).rejects.toThrow(`answered ${status}`);
    expect(answers[0]!.bodyUsed).toBe(true);
  });

  it("fails when the provider does not answer within the timeout", async () => {
    const hanging = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)))) as typeof fetch;
    const sending = providerMailer({ url: PROVIDER.MAIL_API_URL, key: "k", from: PROVIDER.MAIL_FROM, fetch: hanging, timeoutMs: 20 }).send(mail());
    await expect(sending).rejects.toThrow(MailDeliveryError);
    await expect(sending).rejects.toThrow("did not answer within 20 ms");
  });

  it("fails when the provider cannot be reached", async () => {
    const unreachable = (async () => {
      throw new TypeError("Network connection lost.");
    }) as typeof fetch;
    await expect(providerMailer({ url: PROVIDER.MAIL_API_URL, key: "k", from: PROVIDER.MAIL_FROM, fetch: unreachable, timeoutMs: 1000 }).send(mail())).rejects.toThrow(
      "could not be reached",
    );
  });

  it("fails on a real HTTP answer other than 2xx (a local server that has no such path)", async () => {
    const mailer = providerMailer({ url: `${testStack().controlUrl}/emails`, key: "k", from: PROVIDER.MAIL_FROM, fetch, timeoutMs: 5000 });
    await expect(mailer.send(mail())).rejects.toThrow("answered 404");
  });
});
