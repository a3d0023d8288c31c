import { describe, expect, it } from "vitest";
import { openSecret, sealSecret } from "../../src/lib/secret-box";

const KEY = "k".repeat(32) + "-the-test-key";
const OTHER_KEY = "o".repeat(32) + "-another-key";

describe("the secret box", () => {
  it("opens what it sealed for the same row, and seals the same value differently each time", async () => {
    const sealed = await sealSecret(KEY, "whe_1", "whsec_plain");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("whsec_plain");
    expect(await openSecret(KEY, "whe_1", sealed)).toBe("whsec_plain");
    expect(await sealSecret(KEY, "whe_1", "whsec_plain")).not.toBe(sealed);
  });

  it("refuses a value sealed for another row, under another key, or altered", async () => {
    const sealed = await sealSecret(KEY, "whe_1", "whsec_plain");
    const [version, iv, ciphertext] = sealed.split(".") as [string, string, string];
    const flipped = `${version}.${iv}.${ciphertext.slice(0, -2)}${ciphertext.at(-2) === "A" ? "B" : "A"}${ciphertext.at(-1)}`;
    await expect(openSecret(KEY, "whe_2", sealed)).rejects.toThrow();
    await expect(openSecret(OTHER_KEY, "whe_1", sealed)).rejects.toThrow();
    await expect(openSecret(KEY, "whe_1", flipped)).rejects.toThrow();
    await expect(openSecret(KEY, "whe_1", `v2.${iv}.${ciphertext}`)).rejects.toThrow("not a sealed secret");
    await expect(openSecret(KEY, "whe_1", `${sealed}.extra`)).rejects.toThrow("not a sealed secret");
  });
});
