import { argon2 as wasmArgon2, type Argon2 } from "./argon2";
import { createLimiter, type Limiter } from "./concurrency";
import { CURRENT_PARAMETERS, isCurrent, isWithinBounds } from "./parameters";
import { formatPhc, parsePhc, type PasswordHash } from "./phc";
import { encodePassword } from "./policy";

/** A stored hash that is not one this module may compute: malformed, another algorithm, or out of bounds. */
export class StoredHashError extends Error {
  override readonly name = "StoredHashError";
}

export interface PasswordHasherOptions {
  /** The Argon2id implementation; tests pass a fake to count or hold computations. */
  argon2?: Argon2;
  /** Bounds the computations running at once; the isolate's shared limiter by default. */
  limiter?: Limiter;
}

export interface PasswordHasher {
  /** A new PHC string for `password` with the current parameters and a random salt. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches the stored PHC string; throws StoredHashError, without hashing, for a hash out of bounds. */
  verify(password: string, phc: string): Promise<boolean>;
  /** The work of a wrong password against a current hash, for an account that does not exist; always false. */
  verifyDummy(password: string): Promise<false>;
}

// Each computation holds about 19 MiB of WebAssembly memory and 50 ms of the isolate's one thread, and
// an isolate has 128 MB and serves many requests at once. Two at a time keeps memory well inside the
// limit; beyond a short waiting line a login waits longer than a retry would, so it gets 503 and
// Retry-After at once, and a burst of logins cannot starve every other request of the isolate.
const HASH_CONCURRENCY = { concurrency: 2, queue: 8 };
const sharedLimiter = createLimiter(HASH_CONCURRENCY);

// A well-formed hash with the current parameters that no password matches (a zero tag): checking a
// password against it costs exactly what checking against a real current hash costs.
const DUMMY_HASH = formatPhc({
  ...CURRENT_PARAMETERS,
  salt: new Uint8Array(CURRENT_PARAMETERS.saltLength),
  tag: new Uint8Array(CURRENT_PARAMETERS.tagLength),
});

/** Argon2id password hashing with bounded cost; see `hashPassword`, `verifyPassword` and `verifyDummy`. */
export function createPasswordHasher({ argon2 = wasmArgon2, limiter = sharedLimiter }: PasswordHasherOptions = {}): PasswordHasher {
  function computeTag(password: string, { memoryKiB, iterations, parallelism, salt }: Omit<PasswordHash, "tag">, tagLength: number) {
    const bytes = encodePassword(password);
    return limiter.run(() => argon2({ password: bytes, salt, tagLength, memoryKiB, iterations, parallelism }));
  }

  async function verify(password: string, phc: string): Promise<boolean> {
    const stored = parsePhc(phc);
    if (!stored) throw new StoredHashError("the stored password hash is not an Argon2id PHC string");
    if (!isWithinBounds(stored)) throw new StoredHashError("the stored password hash has parameters out of bounds");
    const tag = await computeTag(password, stored, stored.tag.byteLength);
    return crypto.subtle.timingSafeEqual(tag, stored.tag);
  }

  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(CURRENT_PARAMETERS.saltLength));
      const tag = await computeTag(password, { ...CURRENT_PARAMETERS, salt }, CURRENT_PARAMETERS.tagLength);
      return formatPhc({ ...CURRENT_PARAMETERS, salt, tag });
    },
    verify,
    async verifyDummy(password) {
      await verify(password, DUMMY_HASH);
      return false;
    },
  };
}

/** Whether a stored hash should be replaced after a successful login: its parameters are not the current ones. */
export function needsRehash(phc: string): boolean {
  const stored = parsePhc(phc);
  return !stored || !isCurrent(stored);
}

const isolateHasher = createPasswordHasher();

/**
 * Hashes a new password (validated with `PasswordSchema`) into a PHC string.
 * @example const passwordHash = await hashPassword(body.password)
 */
export const hashPassword = isolateHasher.hash;

/**
 * Checks a password against its stored PHC string in constant time. Throws StoredHashError, without
 * hashing, for a malformed hash or one whose parameters are out of bounds.
 * @example if (await verifyPassword(body.password, user.passwordHash) && needsRehash(user.passwordHash)) …
 */
export const verifyPassword = isolateHasher.verify;

/**
 * What a login for an unknown account runs in place of `verifyPassword`, so that it costs the same.
 * @example const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyDummy(password)
 */
export const verifyDummy = isolateHasher.verifyDummy;
