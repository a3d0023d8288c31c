import { formatMessage } from "../../../lib/i18n";
import { ONE_TIME_TOKEN_LIFETIME_MS } from "../../identity/one-time-tokens";
import { INVITATION_LIFETIME_MS } from "../../workspaces/invitations-common";
import type { Locale, MailMessage } from "../message";
import type { MailCatalog } from "./copy";
import { de } from "./de";
import { en } from "./en";
import { es } from "./es";

const catalogs: Record<Locale, MailCatalog> = { en, de, es };

/** A mail ready for the mailer: the subject and the same words as plain text and as HTML. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Where a mail's link points: the web app's page for it, carrying the token. An invitation's token
 * rides in the fragment, which browsers never send: it stays out of the web app's access logs and of
 * `Referer` headers, and the page posts it to the API in a body.
 * @example mailLink({ template: "verify-email", token, … }, "https://app.example.com") // "https://app.example.com/verify-email?token=vt_…"
 * @example mailLink({ template: "workspace-invitation", token, … }, "https://app.example.com") // "https://app.example.com/invitation#token=it_…"
 */
export function mailLink(message: MailMessage, appUrl: string): string | undefined {
  const base = appUrl.replace(/\/+$/, "");
  if (message.template === "verify-email") return `${base}/verify-email?token=${encodeURIComponent(message.token)}`;
  if (message.template === "reset-password") return `${base}/reset-password?token=${encodeURIComponent(message.token)}`;
  if (message.template === "workspace-invitation") return `${base}/invitation#token=${encodeURIComponent(message.token)}`;
  return undefined;
}

/** Renders `message` in its language; in the HTML every interpolated value is escaped. */
export function renderMail(message: MailMessage, appUrl: string): RenderedMail {
  const catalog = catalogs[message.locale];
  const copy = catalog.templates[message.template];
  const params = {
    hours: ONE_TIME_TOKEN_LIFETIME_MS.email_verification / 3_600_000,
    minutes: ONE_TIME_TOKEN_LIFETIME_MS.password_reset / 60_000,
    days: INVITATION_LIFETIME_MS / 86_400_000,
    appUrl,
    ...(message.template === "workspace-invitation" ? { workspace: message.workspaceName } : {}),
  };
  const subject = formatMessage(copy.subject, params);
  const before = copy.before.map((line) => formatMessage(line, params));
  const after = copy.after.map((line) => formatMessage(line, params));
  const link = mailLink(message, appUrl);

  const text = [...before, ...(link ? [link] : []), ...after, `-- \n${catalog.signature}`].join("\n\n") + "\n";
  const paragraph = (line: string) => `<p>${escapeHtml(line)}</p>`;
  const action = link
    ? [
        `<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(copy.action ?? link)}</a></p>`,
        `<p style="font-size:13px;color:#555555">${escapeHtml(catalog.linkHint)}<br>${escapeHtml(link)}</p>`,
      ]
    : [];
  const html = [
    `<!doctype html><html lang="${escapeHtml(message.locale)}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="font-family:sans-serif;line-height:1.5;color:#111111;max-width:560px">`,
    ...before.map(paragraph),
    ...action,
    ...after.map(paragraph),
    `<p style="font-size:13px;color:#555555">${escapeHtml(catalog.signature)}</p>`,
    `</body></html>`,
  ].join("\n");
  return { subject, text, html };
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe inside an HTML element or a double-quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}
