import { afterEach, describe, expect, it, vi } from "vitest";
import type { Argon2, Argon2Input } from "../../../src/lib/passwords/argon2";
import {
  createPasswordHasher,
  CURRENT_PARAMETERS,
  hashPassword,
  needsRehash,
  StoredHashError,
  verifyDummy,
  verifyPassword,
} from "../../../src/lib/passwords";
import { formatPhc, parsePhc } from "../../../src/lib/passwords/phc";

/** A fake Argon2 that records what it was asked to compute and answers a cheap tag of password and salt. */
function countingArgon2() {
  const calls: Argon2Input[] = [];
  const argon2: Argon2 = async (input) => {
    calls.push(input);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([...input.password, ...input.salt])));
    return Uint8Array.from({ length: input.tagLength }, (_, index) => digest[index % digest.length]!);
  };
  return { argon2, calls };
}

const costOf = ({ memoryKiB, iterations, parallelism, tagLength, salt }: Argon2Input) => ({
  memoryKiB,
  iterations,
  parallelism,
  tagLength,
  saltLength: salt.byteLength,
});

/** A PHC string with the given parameters, as a corrupted or hostile row could hold. */
const storedHash = (overrides: Partial<{ memoryKiB: number; iterations: number; parallelism: number; saltLength: number; tagLength: number }>) => {
  const { memoryKiB, iterations, parallelism, saltLength, tagLength } = { ...CURRENT_PARAMETERS, ...overrides };
  return formatPhc({ memoryKiB, iterations, parallelism, salt: new Uint8Array(saltLength).fill(1), tag: new Uint8Array(tagLength).fill(2) });
};

afterEach(() => vi.restoreAllMocks());

describe("hashing a password", () => {
  it("makes an Argon2id PHC string with m=19456, t=2, p=1, a 16-byte salt and a 32-byte tag", async () => {
    const phc = await hashPassword("correct horse battery staple");
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(needsRehash(phc)).toBe(false);
  });

  it("uses a fresh random salt each time", async () => {
    const [first, second] = await Promise.all([hashPassword("correct horse battery staple"), hashPassword("correct horse battery staple")]);
    expect(parsePhc(first)?.salt).not.toEqual(parsePhc(second)?.salt);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const phc = await hashPassword("correct horse battery staple");
    expect(await verifyPassword("correct horse battery staple", phc)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", phc)).toBe(false);
    expect(await verifyPassword("Correct horse battery staple", phc)).toBe(false);
  });

  it("hashes and verifies a 64-character password of 4-byte characters", async () => {
    const password = Array.from({ length: 64 }, (_, index) => String.fromCodePoint(0x1f600 + ((index * 37) % 80))).join("");
    expect(Array.from(password)).toHaveLength(64);
    expect(new TextEncoder().encode(password).byteLength).toBe(256);
    const phc = await hashPassword(password);
    expect(await verifyPassword(password, phc)).toBe(true);
    expect(await verifyPassword(password.slice(0, -2), phc)).toBe(false);
  });

  it("treats NFKC-equivalent passwords as the same password", async () => {
    const phc = await hashPassword("Ｐａｓｓｗｏｒｄ ﬁve ①");
    expect(await verifyPassword("Password five 1", phc)).toBe(true);
    // Composed and decomposed é are one password too.
    expect(await verifyPassword("cafe\u0301 au lait", await hashPassword("caf\u00e9 au lait"))).toBe(true);
  });

  it("compares tags with the runtime's constant-time comparison", async () => {
    const phc = await hashPassword("correct horse battery staple");
    const compare = vi.spyOn(crypto.subtle, "timingSafeEqual");
    expect(await verifyPassword("wrong horse battery staple", phc)).toBe(false);
    expect(compare).toHaveBeenCalledOnce();
    const [computed, stored] = compare.mock.calls[0]!;
    expect(stored).toEqual(parsePhc(phc)?.tag);
    expect(computed).toHaveProperty("byteLength", 32);
  });

  it("refuses, without computing, a password that skipped the schema: over the byte cap, empty or not well-formed", async () => {
    const { argon2, calls } = countingArgon2();
    const hasher = createPasswordHasher({ argon2 });
    const current = storedHash({});
    for (const password of ["a".repeat(1025), "é".repeat(513), "", "abc\ud800defgh"]) {
      await expect(hasher.hash(password)).rejects.toThrow(RangeError);
      await expect(hasher.verify(password, current)).rejects.toThrow(RangeError);
      await expect(hasher.verifyDummy(password)).rejects.toThrow(RangeError);
    }
    expect(calls).toHaveLength(0);
    await hasher.hash("a".repeat(1024));
    expect(calls).toHaveLength(1);
  });
});

describe("a stored hash", () => {
  it("needs a re-hash when its parameters are not the current ones", async () => {
    expect(needsRehash(storedHash({}))).toBe(false);
    expect(needsRehash(storedHash({ memoryKiB: 9216, iterations: 4 }))).toBe(true);
    expect(needsRehash(storedHash({ iterations: 3 }))).toBe(true);
    expect(needsRehash(storedHash({ parallelism: 2 }))).toBe(true);
    expect(needsRehash(storedHash({ saltLength: 32 }))).toBe(true);
    expect(needsRehash(storedHash({ tagLength: 64 }))).toBe(true);
    expect(needsRehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW")).toBe(true);
  });

  it("made with older parameters still verifies, and its replacement no longer needs a re-hash", async () => {
    const { argon2: realArgon2 } = await import("../../../src/lib/passwords/argon2");
    const password = "correct horse battery staple";
    const salt = new Uint8Array(16).fill(9);
    const old = { memoryKiB: 9216, iterations: 4, parallelism: 1 };
    const tag = await realArgon2({ ...old, password: new TextEncoder().encode(password), salt, tagLength: 32 });
    const oldPhc = formatPhc({ ...old, salt, tag });

    expect(await verifyPassword(password, oldPhc)).toBe(true);
    expect(needsRehash(oldPhc)).toBe(true);
    const upgraded = await hashPassword(password);
    expect(needsRehash(upgraded)).toBe(false);
    expect(await verifyPassword(password, upgraded)).toBe(true);
  });

  it.each([
    ["4 GiB of memory", { memoryKiB: 4 * 1024 * 1024 }],
    ["too little memory", { memoryKiB: 1024 }],
    ["a thousand passes", { iterations: 1000 }],
    ["zero passes", { iterations: 0 }],
    ["255 lanes", { parallelism: 255 }],
    ["more than twice today's work", { memoryKiB: 47104, iterations: 2 }],
    ["an 8-byte salt", { saltLength: 8 }],
    ["a 1 KiB salt", { saltLength: 1024 }],
    ["a 4-byte tag", { tagLength: 4 }],
    ["a 1 KiB tag", { tagLength: 1024 }],
  ])("is refused without computing it when it asks for %s", async (_, parameters) => {
    const { argon2, calls } = countingArgon2();
    const hasher = createPasswordHasher({ argon2 });
    await expect(hasher.verify("correct horse battery staple", storedHash(parameters))).rejects.toThrow(StoredHashError);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["argon2i", "$argon2i$v=19$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"],
    ["version 0x10", "$argon2id$v=16$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"],
    ["parameters out of order", "$argon2id$v=19$t=2,m=19456,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"],
    ["a leading zero", "$argon2id$v=19$m=019456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"],
    ["padded base64", "$argon2id$v=19$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ==$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"],
    ["non-canonical base64", "$argon2id$v=19$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAR$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"],
    ["a missing tag", "$argon2id$v=19$m=19456,t=2,p=1$AQEBAQEBAQEBAQEBAQEBAQ"],
    ["bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"],
    ["nothing", ""],
  ])("is refused without computing it when it is %s", async (_, phc) => {
    const { argon2, calls } = countingArgon2();
    const hasher = createPasswordHasher({ argon2 });
    await expect(hasher.verify("correct horse battery staple", phc)).rejects.toThrow(StoredHashError);
    expect(calls).toHaveLength(0);
  });

  it("within the bounds is computed with its own parameters", async () => {
    const { argon2, calls } = countingArgon2();
    const hasher = createPasswordHasher({ argon2 });
    const phc = storedHash({ memoryKiB: 47104, iterations: 1, parallelism: 4, saltLength: 64, tagLength: 64 });
    expect(await hasher.verify("correct horse battery staple", phc)).toBe(false);
    expect(calls.map(costOf)).toEqual([{ memoryKiB: 47104, iterations: 1, parallelism: 4, saltLength: 64, tagLength: 64 }]);
  });
});

describe("an unknown account", () => {
  it("costs the same hash work as a wrong password against a current hash", async () => {
    const { argon2, calls } = countingArgon2();
    const hasher = createPasswordHasher({ argon2 });
    const current = await hasher.hash("correct horse battery staple");
    calls.length = 0;

    expect(await hasher.verify("wrong horse battery staple", current)).toBe(false);
    expect(await hasher.verifyDummy("wrong horse battery staple")).toBe(false);
    expect(calls).toHaveLength(2);
    expect(costOf(calls[1]!)).toEqual(costOf(calls[0]!));
    expect(costOf(calls[1]!)).toEqual({ ...CURRENT_PARAMETERS });
  });

  it("is refused even by the real hash, whatever the password", async () => {
    expect(await verifyDummy("correct horse battery staple")).toBe(false);
    expect(await verifyDummy("a")).toBe(false);
  });
});

describe("hashes running at once in an isolate", () => {
  it("are two, with eight waiting; the next is refused with 503 before it costs anything", async () => {
    const releases: Array<() => void> = [];
    let started = 0;
    const held: Argon2 = async (input) => {
      started++;
      await new Promise<void>((resolve) => releases.push(resolve));
      return new Uint8Array(input.tagLength);
    };
    // The isolate's own limiter, which hashPassword and verifyPassword share.
    const hasher = createPasswordHasher({ argon2: held });
    const accepted = Array.from({ length: 10 }, () => hasher.hash("correct horse battery staple"));
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    expect(started).toBe(2);

    await expect(hasher.hash("correct horse battery staple")).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", options: { retryAfter: 1 } });
    expect(started).toBe(2);
    while (releases.length > 0) {
      for (const release of releases.splice(0)) release();
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(accepted);
    expect(started).toBe(10);
  });
});
