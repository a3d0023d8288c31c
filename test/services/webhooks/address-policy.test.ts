import { describe, expect, it } from "vitest";
import { checkTarget, checkUrlHost, type Resolver } from "../../../src/services/webhooks/address-policy";
import { dnsOverHttpsResolver } from "../../../src/services/webhooks/dns";

const host = (url: string) => checkUrlHost(new URL(url));
const noDns: Resolver = async () => {
  throw new Error("no lookup expected");
};

describe("the outbound webhooks' address policy", () => {
  it.each([
    ["loopback", "https://127.0.0.1/hook"],
    ["loopback elsewhere in 127/8", "https://127.8.9.10/hook"],
    ["RFC 1918 10/8", "https://10.1.2.3/hook"],
    ["RFC 1918 172.16/12", "https://172.20.0.1/hook"],
    ["RFC 1918 192.168/16", "https://192.168.1.1/hook"],
    ["CGNAT 100.64/10", "https://100.100.100.100/hook"],
    ["link-local", "https://169.254.10.20/hook"],
    ["the cloud metadata address", "http://169.254.169.254/latest/meta-data/"],
    ["0.0.0.0/8", "https://0.0.0.0/hook"],
    ["0/8 elsewhere", "https://0.1.2.3/hook"],
    ["multicast", "https://224.0.0.1/hook"],
    ["broadcast", "https://255.255.255.255/hook"],
    ["reserved 240/4", "https://240.0.0.1/hook"],
    ["a decimal IPv4", "https://2130706433/hook"],
    ["an octal IPv4", "https://0177.0.0.1/hook"],
    ["a hexadecimal IPv4", "https://0x7f.0x0.0x0.0x1/hook"],
    ["a short IPv4", "https://127.1/hook"],
    ["a mixed short IPv4", "https://0x7f.1/hook"],
    ["a hexadecimal whole IPv4", "https://0x7f000001/hook"],
    ["IPv6 loopback", "https://[::1]/hook"],
    ["IPv6 unspecified", "https://[::]/hook"],
    ["IPv6 link-local fe80::/10", "https://[fe80::1]/hook"],
    ["IPv6 unique-local fc00::/7", "https://[fd12:3456::1]/hook"],
    ["IPv6 multicast", "https://[ff02::1]/hook"],
    ["IPv4-mapped IPv6 loopback", "https://[::ffff:127.0.0.1]/hook"],
    ["IPv4-mapped IPv6 metadata", "https://[::ffff:a9fe:a9fe]/hook"],
    ["IPv4-compatible IPv6", "https://[::127.0.0.1]/hook"],
    ["NAT64 of a private address", "https://[64:ff9b::10.0.0.1]/hook"],
    ["localhost", "https://localhost/hook"],
    ["localhost with a trailing dot", "https://localhost./hook"],
    ["a name under .localhost", "https://api.localhost/hook"],
    ["GCP's metadata name", "http://metadata.google.internal/computeMetadata/v1/"],
    ["a name under .internal", "https://db.internal/hook"],
    ["a name under .local", "https://printer.local/hook"],
    ["a single label", "https://intranet/hook"],
    ["the bare metadata name", "https://metadata/hook"],
  ])("refuses %s", (_, url) => {
    expect(host(url)).toMatchObject({ ok: false });
  });

  it.each([
    ["a public IPv4", "https://93.184.215.14/hook"],
    ["a public IPv6", "https://[2606:4700:4700::1111]/hook"],
    ["a public name", "https://hooks.example.com/hook"],
  ])("accepts %s", (_, url) => {
    expect(host(url)).toEqual({ ok: true });
  });

  it("resolves a name before an attempt and refuses it when any answer is private, or when there is none", async () => {
    const answers: Record<string, string[]> = {
      "public.example.com": ["93.184.215.14", "2606:4700:4700::1111"],
      "rebind.example.com": ["93.184.215.14", "127.0.0.1"],
      "mapped.example.com": ["::ffff:10.0.0.1"],
      "metadata.example.com": ["169.254.169.254"],
      "v6.example.com": ["fd00::1"],
    };
    const resolve: Resolver = async (name) => answers[name] ?? [];
    const target = (url: string) => checkTarget(new URL(url), { resolve });
    expect(await target("https://public.example.com/hook")).toEqual({ ok: true });
    expect(await target("https://rebind.example.com/hook")).toEqual({ ok: false, reason: "name resolves to 127.0.0.1, which is not public" });
    expect(await target("https://mapped.example.com/hook")).toMatchObject({ ok: false });
    expect(await target("https://metadata.example.com/hook")).toMatchObject({ ok: false });
    expect(await target("https://v6.example.com/hook")).toMatchObject({ ok: false });
    expect(await target("https://unknown.example.com/hook")).toEqual({ ok: false, reason: "name has no address" });
    expect(await checkTarget(new URL("https://x.example.com/"), { resolve: noDns })).toMatchObject({ ok: false, reason: expect.stringMatching(/^name not resolved/) });
  });

  it("lets exactly the allowed host:port through, and nothing else on loopback", async () => {
    const policy = { resolve: noDns, allowedTarget: "127.0.0.1:8788" };
    expect(await checkTarget(new URL("http://127.0.0.1:8788/hook"), policy)).toEqual({ ok: true });
    expect(await checkTarget(new URL("http://127.0.0.1:8789/hook"), policy)).toMatchObject({ ok: false });
    expect(await checkTarget(new URL("http://localhost:8788/hook"), policy)).toMatchObject({ ok: false });
  });

  it("asks a DNS-over-HTTPS resolver for A and AAAA records and keeps only addresses", async () => {
    const asked: string[] = [];
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      asked.push(`${url.searchParams.get("name")} ${url.searchParams.get("type")} ${new Headers(init?.headers).get("accept")}`);
      const answer =
        url.searchParams.get("type") === "A"
          ? [
              { type: 5, data: "target.example.net." },
              { type: 1, data: "10.0.0.9" },
            ]
          : [{ type: 28, data: "2606:4700::1" }];
      return Response.json({ Status: 0, Answer: answer });
    }) as typeof fetch;
    const resolve = dnsOverHttpsResolver("https://dns.example/dns-query", fetcher);
    expect(await resolve("hooks.example.com")).toEqual(["10.0.0.9", "2606:4700::1"]);
    expect(asked.sort()).toEqual(["hooks.example.com A application/dns-json", "hooks.example.com AAAA application/dns-json"]);
    const missing = dnsOverHttpsResolver("https://dns.example/dns-query", (async () => Response.json({ Status: 3 })) as typeof fetch);
    expect(await missing("nowhere.example.com")).toEqual([]);
    const down = dnsOverHttpsResolver("https://dns.example/dns-query", (async () => new Response("no", { status: 502 })) as typeof fetch);
    await expect(down("hooks.example.com")).rejects.toThrow("resolver answered 502");
  });
});
