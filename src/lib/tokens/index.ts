/**
 * Tokens of identity: JWT access tokens signed with our own key set, the key set itself, and the
 * opaque refresh, verification, reset and invitation tokens stored only as hashes.
 */
export * from "./access-token.ts";
export * from "./invalid-token-error.ts";
export * from "./key-generation.ts";
export * from "./opaque-token.ts";
export * from "./signing-keys.ts";
