import { argon2id, setWASMModules } from "argon2-wasm-edge";
import argon2Wasm from "argon2-wasm-edge/wasm/argon2.wasm";
import blake2bWasm from "argon2-wasm-edge/wasm/blake2b.wasm";

// workerd refuses to compile WebAssembly at run time ("Wasm code generation disallowed by embedder"),
// which is what the library does with its embedded copies. Imported as modules, the two binaries are
// compiled when the Worker is uploaded (Wrangler's CompiledWasm rule, also honoured by the vitest
// plugin), and the library instantiates these instead.
void setWASMModules({ argon2WASM: argon2Wasm, blake2bWASM: blake2bWasm });

/** The cost of one Argon2id computation. */
export interface Argon2Parameters {
  /** Memory in KiB (`m`). */
  memoryKiB: number;
  /** Passes over the memory (`t`). */
  iterations: number;
  /** Lanes (`p`). */
  parallelism: number;
}

export interface Argon2Input extends Argon2Parameters {
  password: Uint8Array;
  salt: Uint8Array;
  /** Length of the tag to compute, in bytes. */
  tagLength: number;
}

/** Computes an Argon2id tag (version 0x13); the caller bounds the parameters. */
export type Argon2 = (input: Argon2Input) => Promise<Uint8Array>;

/** Argon2id through argon2-wasm-edge, which matches the reference implementation's test vectors. */
export const argon2: Argon2 = ({ password, salt, tagLength, memoryKiB, iterations, parallelism }) =>
  argon2id({ password, salt, memorySize: memoryKiB, iterations, parallelism, hashLength: tagLength, outputType: "binary" });
