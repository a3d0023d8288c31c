import type { Argon2Parameters } from "./argon2";
import type { PasswordHash } from "./phc";

/** What a new hash costs and holds: OWASP's Argon2id setting m=19 MiB, t=2, p=1, a 16-byte salt, a 32-byte tag. */
export const CURRENT_PARAMETERS = {
  memoryKiB: 19_456,
  iterations: 2,
  parallelism: 1,
  saltLength: 16,
  tagLength: 32,
} as const satisfies Argon2Parameters & { saltLength: number; tagLength: number };

/**
 * The stored hashes we are willing to compute. A hash outside them is refused without computing it:
 * a corrupted or hostile row must not make an isolate (128 MB) spend 4 GiB or a thousand passes.
 * The range spans OWASP's equal-cost settings (m=47104 t=1 to m=7168 t=5), and the work (m·t) may be
 * at most twice today's, so a future increase can be verified and an old hash upgraded.
 */
export const STORED_HASH_BOUNDS = {
  memoryKiB: { min: 7_168, max: 47_104 },
  iterations: { min: 1, max: 5 },
  parallelism: { min: 1, max: 4 },
  maxWork: 2 * CURRENT_PARAMETERS.memoryKiB * CURRENT_PARAMETERS.iterations,
  saltLength: { min: 16, max: 64 },
  tagLength: { min: 16, max: 64 },
} as const;

const within = (value: number, range: { min: number; max: number }) => value >= range.min && value <= range.max;

/** Whether verifying `hash` costs no more than the bounds allow. */
export function isWithinBounds(hash: PasswordHash): boolean {
  const bounds = STORED_HASH_BOUNDS;
  return (
    within(hash.memoryKiB, bounds.memoryKiB) &&
    within(hash.iterations, bounds.iterations) &&
    within(hash.parallelism, bounds.parallelism) &&
    hash.memoryKiB * hash.iterations <= bounds.maxWork &&
    within(hash.salt.byteLength, bounds.saltLength) &&
    within(hash.tag.byteLength, bounds.tagLength)
  );
}

/** Whether `hash` was made with today's parameters; if not, it should be replaced on the next login. */
export function isCurrent(hash: PasswordHash): boolean {
  const current = CURRENT_PARAMETERS;
  return (
    hash.memoryKiB === current.memoryKiB &&
    hash.iterations === current.iterations &&
    hash.parallelism === current.parallelism &&
    hash.salt.byteLength === current.saltLength &&
    hash.tag.byteLength === current.tagLength
  );
}
