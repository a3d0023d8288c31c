/** A slug as the `workspaces_slug_format` check has it: lowercase letters, digits and inner hyphens, 1-48 characters. */
export const SLUG_PATTERN = /^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/;
export const SLUG_MAX_LENGTH = 48;

/** How much of a name a derived slug keeps, leaving room for a suffix. */
const BASE_MAX_LENGTH = 40;
const SUFFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const SUFFIX_LENGTH = 6;

/**
 * The slug a workspace named `name` gets when none is given: the name in lowercase ASCII, runs of
 * anything else as one hyphen; `workspace` when nothing is left (a name in another script).
 * @example slugFromName("Ärger & Co. GmbH") // "arger-co-gmbh"
 */
export function slugFromName(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, BASE_MAX_LENGTH)
    .replace(/-+$/, "");
  return base || "workspace";
}

/** `base` with a short random suffix, for when `base` is taken: `acme-k3v9xq`. */
export function withRandomSuffix(base: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SUFFIX_LENGTH));
  let suffix = "";
  for (const byte of bytes) suffix += SUFFIX_ALPHABET[byte & 31];
  return `${base.slice(0, SLUG_MAX_LENGTH - SUFFIX_LENGTH - 1)}-${suffix}`;
}
