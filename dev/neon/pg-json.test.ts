import { describe, expect, it } from "vitest";
import { textToJson } from "./pg-json.ts";

const OID = {
  bool: 16, int8: 20, int2: 21, int4: 23, text: 25, json: 114, float4: 700, float8: 701, numeric: 1700, jsonb: 3802,
  boolArray: 1000, int4Array: 1007, textArray: 1009, float8Array: 1022, jsonArray: 199,
};
const arrays = new Map([
  [OID.boolArray, OID.bool],
  [OID.int4Array, OID.int4],
  [OID.textArray, OID.text],
  [OID.float8Array, OID.float8],
  [OID.jsonArray, OID.json],
]);
const toJson = (text: string, oid: number) => textToJson(text, oid, arrays);

describe("textToJson scalars", () => {
  it("reads booleans", () => {
    expect(toJson("t", OID.bool)).toBe(true);
    expect(toJson("f", OID.bool)).toBe(false);
  });

  it("reads int2 and int4 as numbers", () => {
    expect(toJson("-32768", OID.int2)).toBe(-32768);
    expect(toJson("2147483647", OID.int4)).toBe(2147483647);
  });

  it("keeps int8 and numeric as strings, so no digit is lost", () => {
    expect(toJson("9223372036854775807", OID.int8)).toBe("9223372036854775807");
    expect(toJson("0.10000000000000000001", OID.numeric)).toBe("0.10000000000000000001");
  });

  it("reads floats as numbers, but keeps NaN and infinities as strings", () => {
    expect(toJson("1.5", OID.float8)).toBe(1.5);
    expect(toJson("-1e-10", OID.float4)).toBe(-1e-10);
    expect(toJson("NaN", OID.float8)).toBe("NaN");
    expect(toJson("Infinity", OID.float4)).toBe("Infinity");
    expect(toJson("-Infinity", OID.float8)).toBe("-Infinity");
  });

  it("parses json and jsonb", () => {
    expect(toJson('{"a":[1,null,"x"]}', OID.json)).toEqual({ a: [1, null, "x"] });
    expect(toJson('"text"', OID.jsonb)).toBe("text");
    expect(toJson("null", OID.jsonb)).toBeNull();
  });

  it("keeps other types as text", () => {
    expect(toJson("2024-01-02 03:04:05+00", 1184)).toBe("2024-01-02 03:04:05+00");
    expect(toJson("t", OID.text)).toBe("t");
  });
});

describe("textToJson arrays", () => {
  it("reads an array, converting each element by its type", () => {
    expect(toJson("{1,2,-3}", OID.int4Array)).toEqual([1, 2, -3]);
    expect(toJson("{t,f}", OID.boolArray)).toEqual([true, false]);
    expect(toJson("{1.5,NaN}", OID.float8Array)).toEqual([1.5, "NaN"]);
  });

  it("reads an empty array", () => {
    expect(toJson("{}", OID.textArray)).toEqual([]);
  });

  it("reads an unquoted NULL as null, and a quoted one as the text NULL", () => {
    expect(toJson('{a,NULL,"NULL"}', OID.textArray)).toEqual(["a", null, "NULL"]);
    expect(toJson("{1,NULL}", OID.int4Array)).toEqual([1, null]);
  });

  it("reads quoted elements with separators, braces, spaces and escapes", () => {
    expect(toJson('{"a,b","{c}"," d ","e\\"f","g\\\\h",""}', OID.textArray)).toEqual([
      "a,b",
      "{c}",
      " d ",
      'e"f',
      "g\\h",
      "",
    ]);
  });

  it("reads multi-dimensional arrays", () => {
    expect(toJson("{{1,2},{3,NULL}}", OID.int4Array)).toEqual([
      [1, 2],
      [3, null],
    ]);
    expect(toJson('{{"a b"},{c}}', OID.textArray)).toEqual([["a b"], ["c"]]);
  });

  it("parses each element of a json array", () => {
    expect(toJson('{"{\\"a\\":1}","[2]",null}', OID.jsonArray)).toEqual([{ a: 1 }, [2], null]);
  });

  it("skips dimension bounds", () => {
    expect(toJson("[0:1]={7,8}", OID.int4Array)).toEqual([7, 8]);
    expect(toJson("[1:1][1:2]={{a,b}}", OID.textArray)).toEqual([["a", "b"]]);
  });

  it("tolerates spaces around elements", () => {
    expect(toJson("{ 1 , 2 }", OID.int4Array)).toEqual([1, 2]);
  });

  it.each(["{1,2", "{1,2}}", '{"a}', "1,2", "{a,}x", "[0:1]"])("rejects the malformed array %j", (text) => {
    expect(() => toJson(text, OID.textArray)).toThrow("unbalanced array");
  });
});
