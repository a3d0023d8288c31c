/**
 * PostgreSQL text values → JSON values, for requests without `Neon-Raw-Text-Output: true`
 * (Neon's pg_text_to_json in proxy/src/serverless/json.rs). The driver always asks for raw
 * text, so this only serves hand-written HTTP clients.
 */

const OID = { bool: 16, int2: 21, int4: 23, float4: 700, float8: 701, json: 114, jsonb: 3802 };

/** Element type OID of each array type OID that appears in results (0 when not an array). */
export type ArrayElements = ReadonlyMap<number, number>;

export function textToJson(text: string, oid: number, arrays: ArrayElements): unknown {
  const element = arrays.get(oid);
  if (element) return parseArray(text, element, arrays);
  switch (oid) {
    case OID.bool:
      return text === "t";
    case OID.int2:
    case OID.int4:
      return Number.parseInt(text, 10);
    case OID.float4:
    case OID.float8: {
      // NaN and ±Infinity stay strings, since JSON has no way to write them.
      const number = Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case OID.json:
    case OID.jsonb:
      return JSON.parse(text);
    default:
      return text;
  }
}

/** Parses `{a,"b c",NULL,{1,2}}` (optionally prefixed by bounds like `[0:1]=`) into nested arrays. */
function parseArray(text: string, element: number, arrays: ArrayElements): unknown[] {
  let rest = text;
  if (rest.startsWith("[")) {
    const equals = rest.indexOf("=");
    if (equals < 0) throw new Error("unbalanced array");
    rest = rest.slice(equals + 1);
  }
  let position = 0;
  const fail = (): never => {
    throw new Error("unbalanced array");
  };
  const skipSpaces = () => {
    while (rest[position] === " ") position++;
  };

  const parseList = (): unknown[] => {
    skipSpaces();
    if (rest[position++] !== "{") fail();
    const items: unknown[] = [];
    skipSpaces();
    if (rest[position] === "}") {
      position++;
      return items;
    }
    for (;;) {
      skipSpaces();
      items.push(parseItem());
      skipSpaces();
      const next = rest[position++];
      if (next === "}") return items;
      if (next !== ",") fail();
    }
  };

  const parseItem = (): unknown => {
    if (rest[position] === "{") return parseList();
    if (rest[position] === '"') {
      let value = "";
      position++;
      for (;;) {
        const char = rest[position++] ?? fail();
        if (char === '"') return textToJson(value, element, arrays);
        value += char === "\\" ? (rest[position++] ?? fail()) : char;
      }
    }
    let end = position;
    while (end < rest.length && rest[end] !== "," && rest[end] !== "}") end++;
    if (end === rest.length) fail();
    const item = rest.slice(position, end).trimEnd();
    position = end;
    return item === "NULL" ? null : textToJson(item, element, arrays);
  };

  const result = parseList();
  skipSpaces();
  if (position !== rest.length) fail();
  return result;
}
