import { users } from "../../db/schema";

/** The columns of a user that may leave the database for a response: never the password hash. */
export const profileColumns = {
  id: users.id,
  email: users.email,
  emailVerifiedAt: users.emailVerifiedAt,
  name: users.name,
  locale: users.locale,
  role: users.role,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export type UserProfile = { [K in keyof typeof profileColumns]: (typeof users.$inferSelect)[K] };
