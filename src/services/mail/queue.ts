import { MailMessageSchema, type MailMessage } from "./message";

/**
 * Puts `message` on the mail queue (`MAIL_QUEUE`), for src/jobs/mail.ts to render and send. Sent as
 * JSON, checked against the schema the consumer checks it with: a queue outlives a deploy.
 */
export async function enqueueMail(queue: Queue, message: MailMessage): Promise<void> {
  await queue.send(MailMessageSchema.parse(message), { contentType: "json" });
}
