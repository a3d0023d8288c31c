import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseSigningKeySet } from "../src/lib/tokens/signing-keys.ts";
import { devSigningKeys } from "./dev-signing-keys.ts";

let folder: string | undefined;
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe("devSigningKeys", () => {
  it("makes a key set once, keeps it private to the user, and returns the same one afterwards", async () => {
    folder = await mkdtemp(path.join(tmpdir(), "dev-keys-"));
    const file = path.join(folder, "nested", "keys.json");
    const first = await devSigningKeys(file);
    expect(parseSigningKeySet(first).keys).toHaveLength(1);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await devSigningKeys(file)).toBe(first);
  });

  it("replaces a file that holds no usable key set", async () => {
    folder = await mkdtemp(path.join(tmpdir(), "dev-keys-"));
    const file = path.join(folder, "keys.json");
    await writeFile(file, '{"keys": []}');
    const made = await devSigningKeys(file);
    expect(parseSigningKeySet(made).keys).toHaveLength(1);
    expect((await readFile(file, "utf8")).trim()).toBe(made);
  });
});
