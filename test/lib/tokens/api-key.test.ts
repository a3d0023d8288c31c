import { base64url } from "jose";
import { describe, expect, it } from "vitest";
import { API_KEY_ENVIRONMENTS, generateApiKey, InvalidTokenError, isApiKeyShaped, parseApiKey, type InvalidTokenReason } from "../../../src/lib/tokens";
import { mistype } from "../../helpers/api-keys";

function refusal(input: string, environment: "live" | "stg" | "dev" | "test" = "test"): InvalidTokenReason {
  try {
    parseApiKey(input, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  return expect.unreachable("the key was accepted");
}

describe("API keys", () => {
  it.each(Object.entries(API_KEY_ENVIRONMENTS))("makes a %s key: %s, 8 Crockford base32 characters, 256 random bits and a 6-character checksum", (_, environment) => {
    const { key, prefix } = generateApiKey(environment);
    expect(key).toMatch(new RegExp(`^${environment}_[0-9a-hjkmnp-tv-z]{8}_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$`));
    expect(key.slice(environment.length + 1, environment.length + 9)).toBe(prefix);
    expect(base64url.decode(key.slice(environment.length + 10, -6))).toHaveLength(32);
    expect(parseApiKey(key, environment)).toEqual({ key, prefix });
  });

  it("never makes the same key or prefix twice in a thousand", () => {
    const keys = Array.from({ length: 1000 }, () => generateApiKey("test"));
    expect(new Set(keys.map(({ key }) => key)).size).toBe(1000);
    expect(new Set(keys.map(({ prefix }) => prefix)).size).toBe(1000);
  });

  it("keeps the prefix it is given, for a rotation, with a new secret", () => {
    const first = generateApiKey("live");
    const second = generateApiKey("live", first.prefix);
    expect(second.prefix).toBe(first.prefix);
    expect(second.key).not.toBe(first.key);
    expect(parseApiKey(second.key, "live").prefix).toBe(first.prefix);
  });

  it("refuses a key of another environment", () => {
    expect(refusal(generateApiKey("live").key, "test")).toBe("wrong-environment");
    expect(refusal(generateApiKey("test").key, "live")).toBe("wrong-environment");
  });

  it("refuses every single-character typo by its checksum, wherever it is", () => {
    const { key } = generateApiKey("test");
    // Past `test_` (a typo there is another environment or no key at all) and before the checksum's own characters.
    for (let index = 5; index < key.length; index++) {
      if (index === 13) continue; // the underscore between prefix and secret
      const typo = mistype(key, index);
      const reason = refusal(typo);
      expect(["checksum", "malformed"], `typo at ${index}`).toContain(reason);
    }
    expect(refusal(mistype(key, 20))).toBe("checksum");
    expect(refusal(mistype(key, key.length - 1))).toBe("checksum");
  });

  it("refuses two characters swapped", () => {
    const { key } = generateApiKey("test");
    const index = [...key].findIndex((char, at) => at > 14 && at < key.length - 8 && char !== key[at + 1]);
    const swapped = `${key.slice(0, index)}${key[index + 1]}${key[index]}${key.slice(index + 2)}`;
    expect(refusal(swapped)).toBe("checksum");
  });

  const good = generateApiKey("test").key;
  it.each<[string, string]>([
    ["an empty string", ""],
    ["the environment alone", "test_"],
    ["one character short", good.slice(0, -1)],
    ["one character long", `${good}A`],
    ["a space around it", ` ${good}`],
    ["an upper-case environment", `TEST_${good.slice(5)}`],
    ["an I in the prefix (not Crockford)", `test_i${good.slice(6)}`],
    ["a secret not in its canonical spelling", `${good.slice(0, 56)}${good[56] === "B" ? "C" : "B"}${good.slice(57)}`],
    ["a JWT", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"],
  ])("refuses %s as malformed", (_, input) => {
    expect(refusal(input)).toBe("malformed");
  });

  it("tells a bearer value meant as a key from an access token by its start alone", () => {
    expect(isApiKeyShaped(good)).toBe(true);
    expect(isApiKeyShaped("live_whatever")).toBe(true);
    expect(isApiKeyShaped("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")).toBe(false);
    expect(isApiKeyShaped("rt_Qm9vYmFy")).toBe(false);
  });
});
