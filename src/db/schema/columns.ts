import { timestamp } from "drizzle-orm/pg-core";

/** Creation and update times every table carries. */
export const timestamps = {
  createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
};

/** Soft deletion: rows are hidden, not removed, so they can be restored and audited. */
export const softDelete = {
  deletedAt: timestamp({ withTimezone: true, mode: "date" }),
};
