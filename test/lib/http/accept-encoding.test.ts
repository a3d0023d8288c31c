import { describe, expect, it } from "vitest";
import { acceptedEncodings } from "../../../src/lib/http/accept-encoding";

describe("acceptedEncodings", () => {
  it.each([
    [undefined, { gzip: false, identityRefused: false }],
    ["", { gzip: false, identityRefused: false }],
    ["gzip", { gzip: true, identityRefused: false }],
    ["GZIP;Q=0.5", { gzip: true, identityRefused: false }],
    ["x-gzip", { gzip: true, identityRefused: false }],
    ["br, deflate", { gzip: false, identityRefused: false }],
    ["gzip;q=0", { gzip: false, identityRefused: false }],
    ["gzip;q=0.000", { gzip: false, identityRefused: false }],
    ["*", { gzip: true, identityRefused: false }],
    ["*;q=0.1", { gzip: true, identityRefused: false }],
    ["*, gzip;q=0", { gzip: false, identityRefused: false }],
    ["br;q=1.0, gzip;q=0.8, *;q=0.1", { gzip: true, identityRefused: false }],
    ["gzip, identity;q=0", { gzip: true, identityRefused: true }],
    ["gzip, *;q=0", { gzip: true, identityRefused: true }],
    ["gzip, identity, *;q=0", { gzip: true, identityRefused: false }],
    ["gzip;q=2", { gzip: false, identityRefused: false }],
    ["gzip;q=abc", { gzip: false, identityRefused: false }],
  ])("reads %j", (field, expected) => {
    expect(acceptedEncodings(field)).toEqual(expected);
  });
});
