import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateSigningKeySet, rotateSigningKeySet } from "../src/lib/tokens/key-generation.ts";
import { importSigningKeys, parseSigningKeySet, type SigningKeySet } from "../src/lib/tokens/signing-keys.ts";

const cli = fileURLToPath(new URL("./keys-cli.ts", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function run(args: string[], stdin = ""): Promise<Run> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

/** Asserts no private key material of `sets` appears in `text`, not even the start of it. */
function expectNoKeyMaterial(text: string, ...sets: SigningKeySet[]): void {
  expect(text).not.toContain('"d"');
  for (const key of sets.flatMap((set) => set.keys)) expect(text).not.toContain(key.d.slice(0, 8));
}

describe("key generation in Node", () => {
  it("makes sets that Node's WebCrypto imports, the key-pair probe included", async () => {
    const set = await rotateSigningKeySet(await generateSigningKeySet(), { algorithm: "Ed25519" });
    const keys = await importSigningKeys(JSON.stringify(set));
    expect(keys.current.kid).toBe(set.keys[0]!.kid);
    expect(keys.algorithms).toEqual(["Ed25519", "ES256"]);
  });
});

describe("npm run keys:generate", () => {
  it("prints a new ES256 key set as one JSON line, and only its kid on stderr", async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(0);
    expect(stdout.endsWith("\n")).toBe(true);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    const set = parseSigningKeySet(stdout);
    expect(set.keys.map((key) => key.alg)).toEqual(["ES256"]);
    expect(stderr).toContain(set.keys[0]!.kid);
    expect(stderr).toContain("wrangler secret put JWT_SIGNING_KEYS --env");
    expectNoKeyMaterial(stderr, set);
  }, 30_000);

  it("makes an Ed25519 set with --alg Ed25519", async () => {
    const { code, stdout } = await run(["--alg", "Ed25519"]);
    expect(code).toBe(0);
    expect(parseSigningKeySet(stdout).keys.map((key) => key.alg)).toEqual(["Ed25519"]);
  }, 30_000);

  it("rotates the set read on stdin: a new key first, the current one kept, older ones dropped", async () => {
    const current = await rotateSigningKeySet(await generateSigningKeySet());
    const { code, stdout, stderr } = await run(["--rotate"], JSON.stringify(current));
    expect(code).toBe(0);
    const next = parseSigningKeySet(stdout);
    expect(next.keys).toHaveLength(2);
    expect(next.keys[1]).toEqual(current.keys[0]);
    expect(current.keys.map((key) => key.kid)).not.toContain(next.keys[0]!.kid);
    expect(next.keys[0]!.alg).toBe("ES256");
    expect(stderr).toContain(`dropped ${current.keys[1]!.kid}`);
    expectNoKeyMaterial(stderr, current, next);
  }, 30_000);

  it("refuses a broken set on stdin without echoing any of it, printing nothing on stdout", async () => {
    const current = await generateSigningKeySet();
    const { code, stdout, stderr } = await run(["--rotate"], `${current.keys[0]!.d} ${JSON.stringify(current)}`);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("invalid signing key set");
    expectNoKeyMaterial(stderr, current);
  }, 30_000);

  it("refuses a set pasted as an argument without echoing it", async () => {
    const current = await generateSigningKeySet();
    const { code, stdout, stderr } = await run(["--rotate", JSON.stringify(current)]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("stdin");
    expectNoKeyMaterial(stderr, current);
  }, 30_000);

  it("refuses an algorithm it does not support", async () => {
    const { code, stdout, stderr } = await run(["--alg", "HS256"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("ES256, Ed25519");
  }, 30_000);
});
