import { describe, expect, it } from "vitest";
import { admits } from "../../src/lib/ip-access";
import { IpRangeList, NO_RANGES, parseIpAddress, parseIpRange, type IpRange } from "../../src/lib/ip-ranges";

const cidrOf = (text: string) => parseIpRange(text)?.cidr;
const list = (...cidrs: string[]) => new IpRangeList(cidrs.map((cidr) => parseIpRange(cidr) as IpRange));
const address = (text: string) => parseIpAddress(text)!;

describe("parseIpRange", () => {
  it("normalises a CIDR to its network address, and a single address to a /32 or /128", () => {
    expect(cidrOf("203.0.113.77/24")).toBe("203.0.113.0/24");
    expect(cidrOf("203.0.113.77")).toBe("203.0.113.77/32");
    expect(cidrOf("2001:DB8:0:0:1::1/32")).toBe("2001:db8::/32");
    expect(cidrOf("2001:db8::1")).toBe("2001:db8::1/128");
    expect(cidrOf("0.0.0.0/0")).toBe("0.0.0.0/0");
    expect(cidrOf("::/0")).toBe("::/0");
  });

  it("reads an IPv4-mapped IPv6 range of /96 or longer as the IPv4 range it covers", () => {
    expect(cidrOf("::ffff:203.0.113.0/120")).toBe("203.0.113.0/24");
    expect(cidrOf("::ffff:cb00:7101")).toBe("203.0.113.1/32");
  });

  it("refuses what ipaddr.js alone would read otherwise than it looks: octal, hex, short forms, zones", () => {
    for (const text of ["010.1.2.3/8", "0x0a.1.2.3/8", "10.1/16", "10.1.2.3.4", "1.2.3.04", "fe80::1%eth0/64", "2001:db8::/32/1", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0 /8", "", "/8", "example.com", "256.0.0.0/8", "1.2.3.256", "2001:db8::g/32", ":::/0"]) {
      expect(parseIpRange(text), text).toBeUndefined();
    }
  });
});

describe("parseIpAddress", () => {
  it("reads IPv4, IPv6 and IPv4-mapped IPv6 (as IPv4), and nothing else", () => {
    expect(parseIpAddress("192.0.2.1")?.toString()).toBe("192.0.2.1");
    expect(parseIpAddress("2001:db8::1")?.toString()).toBe("2001:db8::1");
    expect(parseIpAddress("::ffff:192.0.2.1")?.kind()).toBe("ipv4");
    for (const text of [undefined, null, "", "unknown", "192.0.2.1:443", "010.0.2.1", "::1%lo", "192.0.2.256", "2001:db8:::1", "1".repeat(46)]) expect(parseIpAddress(text), String(text)).toBeUndefined();
  });
});

describe("IpRangeList", () => {
  it("holds the addresses of its IPv4 and IPv6 ranges, each family against its own", () => {
    const ranges = list("203.0.113.0/24", "2001:db8:1::/48");
    expect(ranges.includes(address("203.0.113.255"))).toBe(true);
    expect(ranges.includes(address("203.0.114.0"))).toBe(false);
    expect(ranges.includes(address("2001:db8:1:ffff::1"))).toBe(true);
    expect(ranges.includes(address("2001:db8:2::1"))).toBe(false);
    expect(ranges.includes(address("::ffff:203.0.113.9"))).toBe(true);
    expect(list("::/0").includes(address("192.0.2.1"))).toBe(false);
    expect(list("0.0.0.0/0").includes(address("2001:db8::1"))).toBe(false);
  });
});

describe("admits", () => {
  const none = { deny: NO_RANGES, allow: NO_RANGES };

  it("admits everyone when no source has a rule", () => {
    expect(admits(address("192.0.2.1"), [none, none])).toBe(true);
  });

  it("lets a deny in any source win over an allow in any source", () => {
    const configured = { deny: NO_RANGES, allow: list("192.0.2.0/24") };
    const runtime = { deny: list("192.0.2.128/25"), allow: NO_RANGES };
    expect(admits(address("192.0.2.200"), [configured, runtime])).toBe(false);
    expect(admits(address("192.0.2.1"), [configured, runtime])).toBe(true);
  });

  it("admits only the ranges of the allow lists once any source has one, from whichever source", () => {
    const configured = { deny: NO_RANGES, allow: list("192.0.2.0/24") };
    const runtime = { deny: NO_RANGES, allow: list("2001:db8::/32") };
    expect(admits(address("192.0.2.1"), [configured, runtime])).toBe(true);
    expect(admits(address("2001:db8::1"), [configured, runtime])).toBe(true);
    expect(admits(address("198.51.100.1"), [configured, runtime])).toBe(false);
    expect(admits(address("2001:db9::1"), [none, runtime])).toBe(false);
  });
});
