import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { users } from "./users";

export const OAUTH_PROVIDERS = ["google", "github"] as const;

/**
 * A provider account linked to a user. Identity is (provider, subject), never the e-mail: the address
 * is kept only to show which account is linked.
 */
export const userIdentities = pgTable(
  "user_identities",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text({ enum: OAUTH_PROVIDERS }).notNull(),
    /** The provider's stable id for the account: Google's `sub`, GitHub's numeric user id. */
    subject: text().notNull(),
    /** The address the provider asserted at the last sign-in, lowercase; display only. */
    email: text(),
    ...timestamps,
  },
  (table) => [
    uniqueIndex("user_identities_provider_subject_key").on(table.provider, table.subject),
    // One account per provider for a user, and "my identities".
    uniqueIndex("user_identities_user_provider_key").on(table.userId, table.provider),
    check("user_identities_provider", sql`${table.provider} in ('google', 'github')`),
    check("user_identities_subject_length", sql`char_length(${table.subject}) between 1 and 255`),
  ],
);

/**
 * One sign-in or link attempt between `/start` and `/callback`: the state's hash, the PKCE verifier and
 * the OpenID nonce, bound to the browser by a cookie holding the state. Redeemed once by a conditional
 * update; 10 minutes to live.
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    /** SHA-256 of the state, hex. */
    stateHash: text().primaryKey(),
    provider: text({ enum: OAUTH_PROVIDERS }).notNull(),
    codeVerifier: text().notNull(),
    nonce: text(),
    /** Where the client asked to land: a relative path or an allowlisted origin, checked at start. */
    returnTo: text().notNull(),
    /** Set when a signed-in user links a provider rather than signing in. */
    linkUserId: text().references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    usedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    index("oauth_states_expires_at_idx").on(table.expiresAt),
    check("oauth_states_provider", sql`${table.provider} in ('google', 'github')`),
  ],
);

/**
 * The one-time code the callback puts in the `returnTo` URL; the client trades it for a token pair at
 * `POST /v1/auth/oauth/exchange`, so tokens never sit in a URL. Stored by hash, redeemed once.
 */
export const oauthExchangeCodes = pgTable(
  "oauth_exchange_codes",
  {
    /** SHA-256 of the code, hex. */
    codeHash: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    provider: text({ enum: OAUTH_PROVIDERS }).notNull(),
    createdAt: timestamp({ withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true, mode: "date" }).notNull(),
    usedAt: timestamp({ withTimezone: true, mode: "date" }),
  },
  (table) => [
    index("oauth_exchange_codes_user_id_idx").on(table.userId),
    index("oauth_exchange_codes_expires_at_idx").on(table.expiresAt),
    check("oauth_exchange_codes_provider", sql`${table.provider} in ('google', 'github')`),
  ],
);
