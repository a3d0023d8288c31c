import { describe, expect, it } from "vitest";
import { redactedStatement } from "../../src/db/statement-text";

describe("statements as they are logged", () => {
  it.each([
    ["keeps placeholders and quoted names", `select "t1"."id" from "t1" where "t1"."email" = $1 limit $2`, `select "t1"."id" from "t1" where "t1"."email" = $1 limit $2`],
    ["replaces string literals, doubled quotes included", `select 'it''s ada@example.com' as a`, "select ? as a"],
    ["replaces escape strings", String.raw`select E'ada\'s \\ key' as a`, "select ? as a"],
    ["replaces dollar-quoted strings", "select $tag$ secret $tag$, $$ other $$", "select ?, ?"],
    ["replaces numbers but not digits in names", `select 4242, 3.14, 1e9 from "table2" t2 where x = -7`, `select ?, ?, ? from "table2" t2 where x = -?`],
    ["drops comments", "select 1 -- ada@example.com\n/* token */ from x", "select ? \n from x"],
    ["keeps a quote inside a quoted name from opening a string", `select "a'b" from x where y = 'v'`, `select "a'b" from x where y = ?`],
  ])("%s", (_, statement, expected) => {
    expect(redactedStatement(statement)).toBe(expected);
  });

  it("cuts a very long statement", () => {
    expect(redactedStatement(`select ${"x, ".repeat(2000)}y`).length).toBe(2001);
  });

  it("leaves nothing of a literal the cut falls inside", () => {
    const statement = `insert into t values ${"(?), ".repeat(1500)}('${"ada@example.com ".repeat(1000)}')`;
    const redacted = redactedStatement(statement);
    expect(redacted).not.toContain("ada@example.com");
    expect(redactedStatement(`select 'unterminated secret`)).toBe("select ?");
    expect(redactedStatement("select $$ unterminated secret")).toBe("select ?");
  });
});
