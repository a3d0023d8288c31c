import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSigningKeySet } from "../src/lib/tokens/key-generation.ts";
import { parseSigningKeySet } from "../src/lib/tokens/signing-keys.ts";

/** Where `npm run dev` keeps its signing keys (git-ignored), so access tokens outlive a restart. */
export const DEV_SIGNING_KEYS_FILE = fileURLToPath(new URL("../.data/dev-signing-keys.json", import.meta.url));

/**
 * The development key set as the JSON the Worker's JWT_SIGNING_KEYS holds: read from `file`, or made
 * and written there (mode 0600) when it is missing or unusable.
 */
export async function devSigningKeys(file: string = DEV_SIGNING_KEYS_FILE): Promise<string> {
  const existing = await readFile(file, "utf8").catch(() => undefined);
  if (existing !== undefined) {
    try {
      parseSigningKeySet(existing.trim());
      return existing.trim();
    } catch {
      // A hand-edited or truncated file: replace it, development tokens are cheap.
    }
  }
  const made = JSON.stringify(await generateSigningKeySet());
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, made + "\n", { mode: 0o600 });
  return made;
}
