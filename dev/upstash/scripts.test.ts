import { describe, expect, it } from "vitest";
import { rewriteScript } from "./scripts.ts";

describe("rewriteScript", () => {
  it("strips flags open-source Redis does not know and keeps the ones it does", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking,no-writes\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
  });
});
