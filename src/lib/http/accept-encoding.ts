/** What a client's `Accept-Encoding` allows of the one coding we send and of no coding at all. */
export interface AcceptedEncodings {
  gzip: boolean;
  /** `identity;q=0`, or `*;q=0` without an `identity` of its own: the client refuses an uncoded body. */
  identityRefused: boolean;
}

const NOTHING_ACCEPTED: AcceptedEncodings = { gzip: false, identityRefused: false };

/**
 * Reads `Accept-Encoding` as RFC 9110 (section 12.5.3) says: codings with q-values, `q=0` meaning
 * "not acceptable", `*` standing for every coding not listed, `x-gzip` an alias of `gzip`. Without the
 * field, we send no coding.
 * @example acceptedEncodings("br;q=1.0, gzip;q=0.8, *;q=0.1") // { gzip: true, identityRefused: false }
 */
export function acceptedEncodings(field: string | undefined): AcceptedEncodings {
  if (!field) return NOTHING_ACCEPTED;
  let gzip: number | undefined;
  let identity: number | undefined;
  let any: number | undefined;
  for (const item of field.split(",")) {
    const [rawName = "", ...parameters] = item.split(";");
    const name = rawName.trim().toLowerCase();
    if (!name) continue;
    const q = qualityOf(parameters);
    if (name === "gzip" || name === "x-gzip") gzip = Math.max(gzip ?? 0, q);
    else if (name === "identity") identity = q;
    else if (name === "*") any = q;
  }
  return {
    gzip: (gzip ?? any ?? 0) > 0,
    identityRefused: (identity ?? any ?? 1) === 0,
  };
}

/** The `q` parameter (0 to 1, default 1); a malformed one counts as 0: what the client named badly is not used. */
function qualityOf(parameters: string[]): number {
  for (const parameter of parameters) {
    const [key = "", value = ""] = parameter.split("=");
    if (key.trim().toLowerCase() !== "q") continue;
    const q = Number(value.trim());
    return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
  }
  return 1;
}
