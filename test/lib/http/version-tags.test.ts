import { describe, expect, it } from "vitest";
import { ifMatchVersions, versionTag } from "../../../src/lib/http/version-tags";

describe("version ETags", () => {
  const id = "tsk_0g5k2m7x9q3w8e4r6t1y5u2i7o";

  it("reads back the versions of the resource's own strong tags", () => {
    expect(ifMatchVersions(versionTag(id, "1764496800123456"), id)).toEqual(["1764496800123456"]);
    expect(ifMatchVersions(`${versionTag(id, "1")}, ${versionTag(id, "2")}`, id)).toEqual(["1", "2"]);
  });

  it("expects nothing without If-Match or with *, and matches nothing for weak, foreign or malformed tags", () => {
    expect(ifMatchVersions(undefined, id)).toBeUndefined();
    expect(ifMatchVersions(" * ", id)).toBeUndefined();
    expect(ifMatchVersions(`W/${versionTag(id, "1")}`, id)).toEqual([]);
    expect(ifMatchVersions(versionTag("tsk_another", "1"), id)).toEqual([]);
    expect(ifMatchVersions("garbage", id)).toEqual([]);
    expect(ifMatchVersions("", id)).toEqual([]);
  });
});
