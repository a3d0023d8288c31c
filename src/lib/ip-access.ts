import type { IpAddress, IpRangeList } from "./ip-ranges";

/** The allow and deny lists of one source of rules: the configuration, or the admins' rules. */
export interface IpRules {
  deny: IpRangeList;
  allow: IpRangeList;
}

/**
 * Whether `address` may use the API under all `sources` together. Deny wins: an address in any deny
 * list is refused. Otherwise, when any source has an allow list, only addresses in one of them get
 * in; with no allow list anywhere, everyone does.
 * @example admits(address, [configured, runtime])
 */
export function admits(address: IpAddress, sources: readonly IpRules[]): boolean {
  let allowListed = false;
  for (const { deny } of sources) if (deny.size > 0 && deny.includes(address)) return false;
  for (const { allow } of sources) {
    if (allow.size === 0) continue;
    if (allow.includes(address)) return true;
    allowListed = true;
  }
  return !allowListed;
}
