import { describe, expect, it } from "vitest";
import { LOCALES } from "../../../src/db/schema";
import { createOpaqueToken } from "../../../src/lib/tokens";
import { MAIL_TEMPLATES, type MailMessage, type MailTemplate } from "../../../src/services/mail/message";
import { escapeHtml, mailLink, renderMail } from "../../../src/services/mail/templates/render";

const APP_URL = "https://app.example.com";

function message(template: MailTemplate, locale: MailMessage["locale"] = "en"): MailMessage {
  const to = "ada@example.com";
  if (template === "verify-email") return { template, to, locale, token: createOpaqueToken("verification") };
  if (template === "reset-password") return { template, to, locale, token: createOpaqueToken("reset") };
  if (template === "workspace-invitation") return { template, to, locale, token: createOpaqueToken("invitation"), workspaceName: "Acme Research" };
  return { template, to, locale };
}

describe("mail templates", () => {
  it.each(MAIL_TEMPLATES)("renders %s in English, German and Spanish, each in its own words", (template) => {
    const rendered = LOCALES.map((locale) => renderMail(message(template, locale), APP_URL));
    for (const mail of rendered) {
      expect(mail.subject).not.toBe("");
      expect(mail.text).not.toMatch(/\{\w+\}/);
      expect(mail.html).not.toMatch(/\{\w+\}/);
    }
    expect(new Set(rendered.map((mail) => mail.subject)).size).toBe(3);
    expect(new Set(rendered.map((mail) => mail.text)).size).toBe(3);
    expect(rendered.map((mail) => /<html lang="(\w+)">/.exec(mail.html)?.[1])).toEqual([...LOCALES]);
  });

  it("puts the verification and reset links, with their token, in the text and the HTML", () => {
    const verify = message("verify-email");
    const reset = message("reset-password", "de");
    if (verify.template !== "verify-email" || reset.template !== "reset-password") throw new Error("unreachable");
    expect(mailLink(verify, APP_URL)).toBe(`${APP_URL}/verify-email?token=${verify.token}`);
    expect(mailLink(reset, `${APP_URL}/`)).toBe(`${APP_URL}/reset-password?token=${reset.token}`);
    for (const mail of [verify, reset]) {
      const rendered = renderMail(mail, APP_URL);
      expect(rendered.text).toContain(mailLink(mail, APP_URL));
      expect(rendered.html).toContain(`href="${mailLink(mail, APP_URL)}"`);
    }
  });

  it("says how long a link works: 24 hours to verify, 30 minutes to reset", () => {
    expect(renderMail(message("verify-email"), APP_URL).text).toContain("24 hours");
    expect(renderMail(message("verify-email", "de"), APP_URL).text).toContain("24 Stunden");
    expect(renderMail(message("reset-password"), APP_URL).text).toContain("30 minutes");
    expect(renderMail(message("reset-password", "es"), APP_URL).text).toContain("30 minutos");
  });

  it("invites to a workspace by its name, in the subject too, with the token in the link's fragment and the link's 7 days", () => {
    const invitation = message("workspace-invitation", "de");
    if (invitation.template !== "workspace-invitation") throw new Error("unreachable");
    const link = mailLink(invitation, APP_URL)!;
    // A fragment is never sent to a server: the web app's access log and Referer headers never see the token.
    expect(link).toBe(`${APP_URL}/invitation#token=${invitation.token}`);
    expect(new URL(link).search).toBe("");
    const rendered = renderMail(invitation, APP_URL);
    expect(rendered.subject).toContain("Acme Research");
    expect(rendered.text).toContain("\u201eAcme Research\u201c");
    expect(rendered.text).toContain("7 Tage");
    expect(rendered.text).toContain(link);
    expect(rendered.html).toContain(`href="${link}"`);
    expect(renderMail({ ...invitation, locale: "en" }, APP_URL).text).toContain("7 days");
  });

  it("shows a workspace's name as text: escaped in the HTML, never read as a placeholder", () => {
    const invitation = { ...message("workspace-invitation"), workspaceName: `<b>{appUrl}</b> & "co"` } as MailMessage;
    const { subject, text, html } = renderMail(invitation, APP_URL);
    expect(subject).toBe(`You are invited to join <b>{appUrl}</b> & "co"`);
    expect(text).toContain(`<b>{appUrl}</b> & "co"`);
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;b&gt;{appUrl}&lt;/b&gt; &amp; &quot;co&quot;");
  });

  it("carries no link and no token in the notices, only the web app's address", () => {
    for (const template of ["account-exists", "password-changed"] as const) {
      const rendered = renderMail(message(template), APP_URL);
      expect(rendered.text).toContain(APP_URL);
      expect(rendered.text).not.toMatch(/token=/);
      expect(rendered.html).not.toMatch(/href=/);
    }
  });

  it("escapes every interpolated value in the HTML", () => {
    const hostile = `https://app.example.com/?a=1&b="><script>alert(1)</script>`;
    for (const template of MAIL_TEMPLATES) {
      const { html, text } = renderMail(message(template), hostile);
      expect(html).not.toContain("<script>");
      expect(html).not.toContain('"><script');
      expect(html).toContain("&lt;script&gt;");
      expect(html).toContain("&amp;b=&quot;&gt;");
      // Plain text is not HTML: it keeps the value as it is.
      expect(text).toContain(hostile);
    }
  });

  it("escapes the five characters that matter in HTML text and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});
