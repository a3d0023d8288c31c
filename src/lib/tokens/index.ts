/**
 * Tokens of identity: JWT access tokens signed with our own key set, the key set itself, the
 * opaque refresh, verification, reset and invitation tokens stored only as hashes, and workspaces'
 * API keys.
 */
export * from "./access-token.ts";
export * from "./api-key.ts";
export * from "./invalid-token-error.ts";
export * from "./key-generation.ts";
export * from "./opaque-token.ts";
export * from "./signing-keys.ts";
