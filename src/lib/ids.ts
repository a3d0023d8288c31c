/** Crockford's base32: no I, L, O or U, so ids read aloud and copied by hand survive. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** 26 characters of 5 bits: 130 random bits. */
const LENGTH = 26;

/** The prefix of each kind of id, so an id says what it names. */
export const ID_PREFIXES = {
  user: "usr",
  session: "ses",
  audit: "aud",
  mail: "mail",
  workspace: "ws",
  ipRule: "ipr",
  role: "rol",
  invitation: "inv",
  apiKey: "key",
  identity: "idn",
  project: "prj",
  task: "tsk",
  comment: "cmt",
  attachment: "att",
  event: "evt",
  webhookEndpoint: "whe",
  /** A delivery's id is its `webhook-id` header, the name Standard Webhooks' examples use. */
  webhookDelivery: "msg",
  webhookAttempt: "wha",
  webhookSource: "whs",
  inboundDelivery: "whi",
  realtimeTicket: "rtk",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/**
 * A new random id of `kind`, e.g. `usr_0g5k2m7x9q3w8e4r6t1y5u2i7o`. Random, not sequential: ids in
 * URLs give away neither counts nor creation order.
 */
export function newId(kind: IdKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  let id = `${ID_PREFIXES[kind]}_`;
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return id;
}

/**
 * The id of `kind` that `seed` always gives: for a row that must be written at most once per cause,
 * so a second attempt collides on the primary key instead of adding a copy. Not secret, not random.
 * @example await derivedId("comment", `${inboundDeliveryId}|WEB-42`)
 */
export async function derivedId(kind: IdKind, seed: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${kind}|${seed}`)));
  let id = `${ID_PREFIXES[kind]}_`;
  for (const byte of bytes.subarray(0, LENGTH)) id += ALPHABET[byte & 31];
  return id;
}

/** Whether `value` is shaped like an id of `kind`; check before a lookup. */
export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[${ALPHABET}]{${LENGTH}}$`).test(value);
}
