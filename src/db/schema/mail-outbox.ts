import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Development and test only: where the mailer puts messages instead of sending them, for the
 * developer and the tests to read. Production sends through the provider and never writes here.
 */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: text().primaryKey(),
    to: text().notNull(),
    template: text().notNull(),
    locale: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    html: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [index("mail_outbox_to_idx").on(table.to, table.createdAt)],
);
