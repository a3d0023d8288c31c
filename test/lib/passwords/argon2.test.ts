import { describe, expect, it } from "vitest";
import { argon2 } from "../../../src/lib/passwords/argon2";
import { formatPhc, parsePhc } from "../../../src/lib/passwords/phc";

const text = (value: string) => new TextEncoder().encode(value);
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");

// The Argon2id vectors of the reference implementation, P-H-C/phc-winner-argon2 src/test.c (commit
// f57e61e19229e23c4445b85494dbf7c07de721cb, "Test Argon2id version number: 13"), all with a 32-byte tag:
// `hashtest(version, t, log2 m, p, pwd, salt, hexref, mcfref, Argon2_id)`. Left out: the one with
// m=2^18 KiB (256 MiB, twice an isolate's memory). RFC 9106 §5.3's vector uses a secret and associated
// data, and argon2-wasm-edge cannot take associated data, so it cannot be checked here.
const REFERENCE_VECTORS = [
  { t: 2, m: 16, p: 1, password: "password", salt: "somesalt", hex: "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7", phc: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc" },
  { t: 2, m: 8, p: 1, password: "password", salt: "somesalt", hex: "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe", phc: "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4" },
  { t: 2, m: 8, p: 2, password: "password", salt: "somesalt", hex: "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037", phc: "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc" },
  { t: 1, m: 16, p: 1, password: "password", salt: "somesalt", hex: "f6a5adc1ba723dddef9b5ac1d464e180fcd9dffc9d1cbf76cca2fed795d9ca98", phc: "$argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg" },
  { t: 4, m: 16, p: 1, password: "password", salt: "somesalt", hex: "9025d48e68ef7395cca9079da4c4ec3affb3c8911fe4f86d1a2520856f63172c", phc: "$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHQ$kCXUjmjvc5XMqQedpMTsOv+zyJEf5PhtGiUghW9jFyw" },
  { t: 2, m: 16, p: 1, password: "differentpassword", salt: "somesalt", hex: "0b84d652cf6b0c4beaef0dfe278ba6a80df6696281d7e0d2891b817d8c458fde", phc: "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94" },
  { t: 2, m: 16, p: 1, password: "password", salt: "diffsalt", hex: "bdf32b05ccc42eb15d58fd19b1f856b113da1e9a5874fdcc544308565aa8141c", phc: "$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw" },
];

describe("Argon2id inside workerd", () => {
  it.each(REFERENCE_VECTORS)("matches the reference implementation for t=$t m=2^$m p=$p $password/$salt", async (vector) => {
    const tag = await argon2({
      password: text(vector.password),
      salt: text(vector.salt),
      memoryKiB: 2 ** vector.m,
      iterations: vector.t,
      parallelism: vector.p,
      tagLength: 32,
    });
    expect(hex(tag)).toBe(vector.hex);
    expect(formatPhc({ memoryKiB: 2 ** vector.m, iterations: vector.t, parallelism: vector.p, salt: text(vector.salt), tag })).toBe(vector.phc);
  });

  it("reads the reference implementation's PHC strings back to the same parameters, salt and tag", () => {
    for (const vector of REFERENCE_VECTORS) {
      const hash = parsePhc(vector.phc);
      expect(hash).toMatchObject({ memoryKiB: 2 ** vector.m, iterations: vector.t, parallelism: vector.p });
      expect(hash && hex(hash.tag)).toBe(vector.hex);
      expect(hash && formatPhc(hash)).toBe(vector.phc);
    }
  });
});
