import { describe, expect, it } from "vitest";
import { isLoopbackHost, postgresHosts, redisHosts } from "./loopback.ts";

describe("isLoopbackHost", () => {
  it.each(["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "127.255.255.255", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])(
    "takes %s for this machine",
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it("takes a unix socket directory, and the empty host clients default to localhost, for this machine", () => {
    expect(isLoopbackHost("/var/run/postgresql")).toBe(true);
    expect(isLoopbackHost("")).toBe(true);
  });

  it.each(["db.example.com", "localhost.example.com", "128.0.0.1", "126.255.255.255", "10.0.0.5", "192.168.1.10", "0.0.0.0", "::", "::2", "fe80::1", "::ffff:10.0.0.5"])(
    "refuses %s",
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe("postgresHosts", () => {
  it("reads the URL's host, as the stack's Neon endpoints do", () => {
    expect(postgresHosts("postgres://u:pw@db.example.com:5432/app")).toContain("db.example.com");
  });

  it("reads a host parameter, which pg prefers to the URL's host", () => {
    expect(postgresHosts("postgres://u:pw@127.0.0.1:5432/app?host=db.example.com")).toContain("db.example.com");
  });

  it("decodes a unix socket directory given as the host", () => {
    expect(postgresHosts("postgres://u@%2Fvar%2Frun%2Fpostgresql/app").every(isLoopbackHost)).toBe(true);
  });

  it("reads a bracketed IPv6 host", () => {
    expect(postgresHosts("postgres://u@[::1]:5432/app").every(isLoopbackHost)).toBe(true);
  });

  it("errs on the side of refusing: a host spelled as one number is not taken for 127.0.0.1", () => {
    expect(postgresHosts("postgres://u@2130706433/app").every(isLoopbackHost)).toBe(false);
  });
});

describe("redisHosts", () => {
  it("reads the host the stack's Upstash endpoint connects to", () => {
    expect(redisHosts("redis://:pw@cache.example.com:6379")).toEqual(["cache.example.com"]);
    expect(redisHosts("redis://127.0.0.1:6379")).toEqual(["127.0.0.1"]);
  });
});
