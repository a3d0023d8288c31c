import { z } from "zod";
import { LOCALES } from "../../db/schema";
import { parseOpaqueToken, type OpaqueTokenKind } from "../../lib/tokens";

/** The mails identity sends, and the invitation to a workspace. */
export const MAIL_TEMPLATES = ["verify-email", "reset-password", "account-exists", "password-changed", "workspace-invitation"] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];
export type Locale = (typeof LOCALES)[number];

const opaqueToken = (kind: OpaqueTokenKind) =>
  z.string().refine((token) => {
    try {
      return parseOpaqueToken(kind, token) === token;
    } catch {
      return false;
    }
  }, `must be a ${kind} token`);

const recipient = { to: z.email().max(254), locale: z.enum(LOCALES) };

/** A workspace's name as a mail shows it: in a subject line too, so no control character. */
const workspaceName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^\P{Cc}+$/u, "must not contain control characters");

/**
 * What a request puts on the mail queue: the template, the recipient, the language and, for a link,
 * its one-time token; never a password, never a rendered text. The consumer validates every message
 * against it, since a queue outlives deploys.
 */
export const MailMessageSchema = z.discriminatedUnion("template", [
  z.object({ template: z.literal("verify-email"), ...recipient, token: opaqueToken("verification") }).strict(),
  z.object({ template: z.literal("reset-password"), ...recipient, token: opaqueToken("reset") }).strict(),
  z.object({ template: z.literal("account-exists"), ...recipient }).strict(),
  z.object({ template: z.literal("password-changed"), ...recipient }).strict(),
  z.object({ template: z.literal("workspace-invitation"), ...recipient, token: opaqueToken("invitation"), workspaceName }).strict(),
]);

export type MailMessage = z.infer<typeof MailMessageSchema>;
