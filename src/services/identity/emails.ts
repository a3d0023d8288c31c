/**
 * The form an address is stored and compared in: NFKC, trimmed, lowercased. Providers treat the local
 * part case-insensitively in practice, and two accounts differing only in case help nobody but a phisher.
 */
export function normalizeEmail(email: string): string {
  return email.normalize("NFKC").trim().toLowerCase();
}
