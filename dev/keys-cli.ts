// `npm run -s keys:generate`: a new JWT signing key set on stdout, one JSON line for
// `wrangler secret put JWT_SIGNING_KEYS --env <env>`. With --rotate, reads the current set on stdin
// and prints the next: a new key signs, the current one still verifies, older ones are dropped.
// stderr says what was made by kid only; no key material leaves but on stdout.
import { parseArgs } from "node:util";
import { generateSigningKeySet, rotateSigningKeySet } from "../src/lib/tokens/key-generation.ts";
import { parseSigningKeySet, SIGNING_ALGORITHMS, SigningKeySetError, type SigningAlgorithm } from "../src/lib/tokens/signing-keys.ts";

const USAGE = `usage: npm run -s keys:generate -- [--alg ES256|Ed25519] [--rotate < current.json]
  prints a new key set; with --rotate, the set read on stdin rotated to a new key (same algorithm unless --alg)`;

/** A key set is a few hundred bytes; anything past this on stdin is not one. */
const MAX_INPUT_BYTES = 64 * 1024;

function fail(message: string, code = 1): never {
  process.stderr.write(`keys:generate: ${message}\n`);
  process.exit(code);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) fail("--rotate reads the current key set on stdin: npm run -s keys:generate -- --rotate < current.json");
  let text = "";
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > MAX_INPUT_BYTES) fail("the input on stdin is too large to be a key set");
  }
  return text.trim();
}

let options: { rotate?: boolean; alg?: string; help?: boolean };
try {
  ({ values: options } = parseArgs({ options: { rotate: { type: "boolean" }, alg: { type: "string" }, help: { type: "boolean" } } }));
} catch {
  // parseArgs quotes what it refuses, which could be a key set pasted as an argument.
  fail(`unknown option or argument (the current set goes on stdin, never in the arguments)\n${USAGE}`, 2);
}
if (options.help) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(0);
}
if (options.alg !== undefined && !(SIGNING_ALGORITHMS as readonly string[]).includes(options.alg)) {
  fail(`--alg must be one of ${SIGNING_ALGORITHMS.join(", ")}`, 2);
}
const algorithm = options.alg as SigningAlgorithm | undefined;

try {
  if (options.rotate) {
    const current = parseSigningKeySet(await readStdin());
    const next = await rotateSigningKeySet(current, { algorithm });
    process.stdout.write(`${JSON.stringify(next)}\n`);
    const dropped = current.keys.slice(1).map((key) => key.kid);
    process.stderr.write(
      `keys:generate: ${next.keys[0]!.kid} (${next.keys[0]!.alg}) now signs; ${next.keys[1]!.kid} still verifies` +
        `${dropped.length ? `; dropped ${dropped.join(", ")}` : ""}. Rotate again no sooner than 15 minutes from now.\n`,
    );
  } else {
    const set = await generateSigningKeySet({ algorithm });
    process.stdout.write(`${JSON.stringify(set)}\n`);
    process.stderr.write(`keys:generate: new key set; ${set.keys[0]!.kid} (${set.keys[0]!.alg}) signs.\n`);
  }
  process.stderr.write(
    "keys:generate: keep a copy where you keep secrets (Cloudflare never shows a secret again, and --rotate needs it), " +
      "and set it with `npx wrangler secret put JWT_SIGNING_KEYS --env <env>`.\n",
  );
} catch (error) {
  // SigningKeySetError names the member at fault, never a value.
  fail(error instanceof SigningKeySetError ? error.message : `failed: ${error instanceof Error ? error.message : String(error)}`);
}
