import { describe, expect, it } from "vitest";
import { addressKey, clientKey } from "../../src/lib/client-address";
import { parseIpAddress } from "../../src/lib/ip-ranges";

describe("clientKey", () => {
  it("keeps a whole IPv4 address", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("groups IPv6 addresses by their /64", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
  });

  it("makes one shared key of what is missing or not an address", () => {
    expect(clientKey(null)).toBe("unknown");
    expect(clientKey("not-an-ip")).toBe("unknown");
    expect(clientKey("1.2.3.4.5")).toBe("unknown");
  });

  it("reads an address as strictly as the IP rules do: no short or octal IPv4 forms", () => {
    // ipaddr.js alone reads these as 10.0.0.1 and 8.1.2.3; a rule for either must not match them.
    expect(clientKey("10.1")).toBe("unknown");
    expect(clientKey("010.1.2.3")).toBe("unknown");
    expect(clientKey("2001:db8::1%eth0")).toBe("unknown");
  });

  it("keys an address parsed once the same as its text", () => {
    for (const text of ["203.0.113.7", "::ffff:203.0.113.7", "2001:db8:1:2:aaaa::1", "not-an-ip"]) {
      expect(addressKey(parseIpAddress(text))).toBe(clientKey(text));
    }
    expect(addressKey(undefined)).toBe("unknown");
  });
});
