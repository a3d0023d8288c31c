/** Why a token was refused: for logs only, never for the client, which learns nothing but 401. */
export type InvalidTokenReason =
  /** Not shaped like a token of the expected kind at all. */
  | "malformed"
  /** A well-formed token of another kind, e.g. a refresh token presented as an access token. */
  | "wrong-kind"
  /** A header parameter we never write: `jwk`, `jku`, `x5u`, `x5c`, `crit` and the like. */
  | "header"
  /** An algorithm outside the pinned list, or other than the one of the key named by `kid`. */
  | "algorithm"
  /** A `typ` other than `at+jwt`. */
  | "type"
  /** A `kid` missing or not in our key set. */
  | "unknown-key"
  | "signature"
  | "missing-claim"
  /** A claim of the wrong shape, or a lifetime longer than we ever issue. */
  | "claims"
  | "issuer"
  | "audience"
  | "expired"
  /** `nbf` or `iat` later than now. */
  | "not-yet-valid"
  /** An opaque token no stored hash matches, or whose purpose is another. */
  | "unknown"
  /** An opaque token already used (a one-time token) or rotated past its grace window (a refresh token). */
  | "used"
  /** The token's session or account has ended: revoked, expired, idle too long or deleted. */
  | "session-ended"
  /** An API key of another environment (a `live_` key in staging). */
  | "wrong-environment"
  /** An API key whose checksum does not match: mistyped or cut short. */
  | "checksum"
  /** An API key that was revoked. */
  | "revoked"
  /** An API key's previous secret, after its rotation's overlap ended. */
  | "rotated"
  /** An API key used from an address outside its allowed CIDRs, or with no address when it has some. */
  | "address"
  /** An API key of a deleted workspace. */
  | "workspace-deleted"
  /** An API key where only access tokens are accepted (outside the workspace routes). */
  | "not-accepted";

/**
 * Every refusal of a token, whatever the reason, so callers cannot tell failures apart by type and
 * answer all of them the same way (401, no detail). The message carries the reason, never the token.
 */
export class InvalidTokenError extends Error {
  override readonly name = "InvalidTokenError";
  readonly reason: InvalidTokenReason;

  constructor(reason: InvalidTokenReason, options: { cause?: unknown } = {}) {
    super(`invalid token: ${reason}`, options);
    this.reason = reason;
  }
}
