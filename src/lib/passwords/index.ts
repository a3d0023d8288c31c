// Passwords for identity: the policy a new password must meet (as zod schemas for the routes), and
// Argon2id hashing and verification with bounded cost. Routes import from here only.
export { createPasswordHasher, hashPassword, needsRehash, StoredHashError, verifyDummy, verifyPassword, type PasswordHasher } from "./hashing";
export { CURRENT_PARAMETERS, STORED_HASH_BOUNDS } from "./parameters";
export {
  CurrentPasswordSchema,
  normalizePassword,
  PASSWORD_ISSUES,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_CHARACTERS,
  PasswordSchema,
} from "./policy";
