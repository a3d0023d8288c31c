import { afterEach, describe, expect, it } from "vitest";
import { accountsApp, expectNoSecretsAnswered, json, watchAccount } from "../../helpers/accounts";
import { bearer, createUser, signIn, uniqueEmail } from "../../helpers/identity";
import { deliverMail, linkToken, outboxFor } from "../../helpers/mail";

afterEach(expectNoSecretsAnswered);

const SUBJECTS = {
  "verify-email": { en: "Confirm your e-mail address", de: "Bestätigen Sie Ihre E-Mail-Adresse", es: "Confirme su dirección de correo electrónico" },
  "reset-password": { en: "Reset your password", de: "Passwort zurücksetzen", es: "Restablezca su contraseña" },
  "account-exists": { en: "An account already exists for this address", de: "Für diese Adresse besteht bereits ein Konto", es: "Ya existe una cuenta para esta dirección" },
  "password-changed": { en: "Your password was changed", de: "Ihr Passwort wurde geändert", es: "Se ha cambiado su contraseña" },
} as const;

const LANGUAGES = ["en", "de", "es"] as const;

describe("mail through the queue to the outbox", () => {
  it.each(LANGUAGES)("sends the verification mail in the registration's language (%s), and its link verifies the address", async (locale) => {
    const client = accountsApp();
    const email = uniqueEmail(`verify-${locale}`);
    await client.post("/v1/auth/register", { email, password: "a long and unusual passphrase" }, { "Accept-Language": `${locale};q=0.9` });
    expect((await deliverMail(client.queue.take())).retryMessages).toEqual([]);

    const [mail] = await outboxFor(client.app, email);
    expect(mail).toMatchObject({ template: "verify-email", locale, subject: SUBJECTS["verify-email"][locale] });
    expect(mail!.html).toContain(`lang="${locale}"`);
    expect((await client.post("/v1/auth/email/verify", { token: linkToken(mail!, "verify-email") })).status).toBe(204);
  });

  it.each(LANGUAGES)("sends the reset mail in the account's language (%s), its link resets the password, then a notice follows", async (locale) => {
    const user = await createUser({ locale });
    watchAccount(user.email);
    const client = accountsApp();
    await client.post("/v1/auth/password/forgot", { email: user.email }, { "Accept-Language": locale === "en" ? "de" : "en" });
    await deliverMail(client.queue.take());
    const [reset] = await outboxFor(client.app, user.email);
    expect(reset).toMatchObject({ template: "reset-password", locale, subject: SUBJECTS["reset-password"][locale] });

    expect((await client.post("/v1/auth/password/reset", { token: linkToken(reset!, "reset-password"), password: "a fresh and unusual passphrase" })).status).toBe(204);
    await deliverMail(client.queue.take());
    const [notice] = await outboxFor(client.app, user.email);
    expect(notice).toMatchObject({ template: "password-changed", locale, subject: SUBJECTS["password-changed"][locale] });
    expect(notice!.text).not.toContain("token=");
  });

  it.each(LANGUAGES)("sends the account-exists and password-changed notices in the account's language (%s)", async (locale) => {
    const user = await createUser({ locale });
    watchAccount(user.email);
    const client = accountsApp();
    await client.post("/v1/auth/register", { email: user.email, password: "a long and unusual passphrase" });
    const { accessToken } = await signIn(user, client.time.clock);
    await client.request("/v1/auth/password/change", json("POST", { currentPassword: user.password, newPassword: "a changed and unusual passphrase" }, bearer(accessToken)));
    await deliverMail(client.queue.take());

    const mails = await outboxFor(client.app, user.email);
    expect(mails.map(({ template, subject }) => ({ template, subject })).sort((a, b) => a.template.localeCompare(b.template))).toEqual([
      { template: "account-exists", subject: SUBJECTS["account-exists"][locale] },
      { template: "password-changed", subject: SUBJECTS["password-changed"][locale] },
    ]);
  });
});
