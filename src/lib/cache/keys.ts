/**
 * Where the Redis tier keeps a family (see the README's key layout):
 *
 *     <prefix>cache:v:<family>                     the family's version, a counter INCR moves on
 *     <prefix>cache:<family>:<version>:<key>       a value, JSON, with a TTL
 *     <prefix>cache:lock:<family>:<version>:<key>  the one fill under way (SET NX PX)
 *
 * A value's key names the version it was read under, so one INCR leaves every value of the family
 * unreachable; they expire on their own.
 */
export interface FamilyKeys {
  version: string;
  /** Prefixes the scripts complete with `<version>:<key>`: the version is only known inside Redis. */
  valueBase: string;
  lockBase: string;
}

export function familyKeys(prefix: string, family: string): FamilyKeys {
  return {
    version: `${prefix}cache:v:${family}`,
    valueBase: `${prefix}cache:${family}:`,
    lockBase: `${prefix}cache:lock:${family}:`,
  };
}

/** Families and keys are ours (`user:<id>`, `profile`), never a client's text; a colon-free key keeps the layout unambiguous. */
export const FAMILY_PATTERN = /^[A-Za-z0-9_-]+(?::[A-Za-z0-9_-]+)*$/;
export const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;
