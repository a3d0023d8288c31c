import type { MailTemplate } from "../message";

/**
 * One mail's words in one language. `{hours}`, `{minutes}` and `{days}` (how long its link works),
 * `{appUrl}` and, in an invitation, `{workspace}` (its name) are filled in when it is rendered, in the
 * subject too.
 */
export interface MailCopy {
  subject: string;
  /** Paragraphs before the link. */
  before: string[];
  /** The link's label in HTML; only mails with a link have one. */
  action?: string;
  /** Paragraphs after the link. */
  after: string[];
}

/** Every mail in one language, with the words around them. */
export interface MailCatalog {
  templates: Record<MailTemplate, MailCopy>;
  /** Above the link's address, for mail clients that show no button. */
  linkHint: string;
  /** The closing line of every mail. */
  signature: string;
}
