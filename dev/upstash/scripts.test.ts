import { describe, expect, it } from "vitest";
import { RedisError } from "./resp.ts";
import { prepareScriptCommand, rewriteScript, sha1 } from "./scripts.ts";

describe("rewriteScript", () => {
  it("strips flags open-source Redis does not know and keeps the ones it does", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking,no-writes\nreturn 1")).toBe("#!lua flags=no-writes\nreturn 1");
  });

  it("leaves a script without a shebang alone, even one mentioning flags=", () => {
    expect(rewriteScript("return 1")).toBeNull();
    expect(rewriteScript("-- flags=allow-key-locking\nreturn 1")).toBeNull();
  });

  it("leaves a shebang without flags alone", () => {
    expect(rewriteScript("#!lua\nreturn 1")).toBeNull();
    expect(rewriteScript("#!lua name=mylib\nreturn 1")).toBeNull();
  });

  it("leaves a shebang with only known flags (or none listed) alone", () => {
    expect(rewriteScript("#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1")).toBeNull();
    expect(rewriteScript("#!lua flags=\nreturn 1")).toBeNull();
  });

  it("keeps the known flags of a mixed list in their order", () => {
    expect(rewriteScript("#!lua flags=allow-oom,allow-key-locking,no-writes,made-up\nreturn 1")).toBe(
      "#!lua flags=allow-oom,no-writes\nreturn 1",
    );
  });

  it("removes the flags option entirely when every flag is unknown", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking\nreturn 1")).toBe("#!lua\nreturn 1");
    expect(rewriteScript("#!lua flags=allow-key-locking,made-up\nreturn 1")).toBe("#!lua\nreturn 1");
  });

  it("keeps the other options of the shebang", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking name=lib\nreturn 1")).toBe("#!lua name=lib\nreturn 1");
  });

  it("rewrites a script that is only a shebang line", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking")).toBe("#!lua");
  });

  it("only looks at the first line", () => {
    expect(rewriteScript("#!lua\n#!lua flags=allow-key-locking\nreturn 1")).toBeNull();
  });

  it("keeps CRLF line endings", () => {
    expect(rewriteScript("#!lua flags=allow-key-locking\r\nreturn 1\r\n")).toBe("#!lua\r\nreturn 1\r\n");
    expect(rewriteScript("#!lua flags=no-writes,allow-key-locking\r\nreturn 1")).toBe("#!lua flags=no-writes\r\nreturn 1");
  });
});

describe("prepareScriptCommand", () => {
  // The SHA-1 map is module-level: every test uses scripts of its own.
  const flagged = (body: string) => `#!lua flags=allow-key-locking,no-writes\n${body}`;
  const rewritten = (body: string) => `#!lua flags=no-writes\n${body}`;

  it("sends the rewritten text of a flagged script for EVAL, other arguments untouched", () => {
    const args = ["EVAL", flagged("return 'eval'"), "1", "key", "arg"];
    const prepared = prepareScriptCommand(args);
    expect(prepared.args).toEqual(["EVAL", rewritten("return 'eval'"), "1", "key", "arg"]);
    expect(args[1]).toBe(flagged("return 'eval'")); // the caller's array is not modified
  });

  it("treats EVAL_RO and a lower-case name the same way", () => {
    expect(prepareScriptCommand(["eval_ro", flagged("return 'ro'"), "0"]).args[1]).toBe(rewritten("return 'ro'"));
    expect(prepareScriptCommand(["eval", flagged("return 'lc'"), "0"]).args[1]).toBe(rewritten("return 'lc'"));
  });

  it("sends a script that needs no rewrite as it is", () => {
    const args = ["EVAL", "return 'plain'", "0"];
    expect(prepareScriptCommand(args).args).toEqual(args);
  });

  it("translates EVALSHA of the original text's SHA-1 after an EVAL", () => {
    prepareScriptCommand(["EVAL", flagged("return 'sha'"), "0"]);
    const prepared = prepareScriptCommand(["EVALSHA", sha1(flagged("return 'sha'")), "1", "k"]);
    expect(prepared.args).toEqual(["EVALSHA", sha1(rewritten("return 'sha'")), "1", "k"]);
    expect(prepareScriptCommand(["evalsha_ro", sha1(flagged("return 'sha'")), "0"]).args[1]).toBe(
      sha1(rewritten("return 'sha'")),
    );
  });

  it("translates an upper-case or Buffer SHA-1 too", () => {
    prepareScriptCommand(["EVAL", flagged("return 'case'"), "0"]);
    const clientSha = sha1(flagged("return 'case'"));
    expect(prepareScriptCommand(["EVALSHA", clientSha.toUpperCase(), "0"]).args[1]).toBe(sha1(rewritten("return 'case'")));
    expect(prepareScriptCommand(["EVALSHA", Buffer.from(clientSha), "0"]).args[1]).toBe(sha1(rewritten("return 'case'")));
  });

  it("passes an unknown SHA-1 through, so Redis answers NOSCRIPT", () => {
    const unknown = sha1("never seen");
    expect(prepareScriptCommand(["EVALSHA", unknown, "0"]).args).toEqual(["EVALSHA", unknown, "0"]);
  });

  it("loads the rewritten script and answers SCRIPT LOAD with the SHA-1 of the client's text", () => {
    const prepared = prepareScriptCommand(["SCRIPT", "LOAD", flagged("return 'load'")]);
    expect(prepared.args).toEqual(["SCRIPT", "LOAD", rewritten("return 'load'")]);
    const reply = prepared.mapReply(Buffer.from(sha1(rewritten("return 'load'"))));
    expect(reply).toEqual(Buffer.from(sha1(flagged("return 'load'"))));
    // and the client's SHA-1 then works with EVALSHA
    expect(prepareScriptCommand(["EVALSHA", sha1(flagged("return 'load'")), "0"]).args[1]).toBe(
      sha1(rewritten("return 'load'")),
    );
  });

  it("passes an error reply to SCRIPT LOAD through", () => {
    const error = new RedisError("ERR Error compiling script");
    expect(prepareScriptCommand(["script", "load", flagged("return (")]).mapReply(error)).toBe(error);
  });

  it("translates the known SHA-1s of SCRIPT EXISTS and leaves the others", () => {
    prepareScriptCommand(["EVAL", flagged("return 'exists'"), "0"]);
    const unknown = sha1("unknown");
    const prepared = prepareScriptCommand(["SCRIPT", "EXISTS", sha1(flagged("return 'exists'")), unknown]);
    expect(prepared.args).toEqual(["SCRIPT", "EXISTS", sha1(rewritten("return 'exists'")), unknown]);
    expect(prepared.mapReply([1, 0])).toEqual([1, 0]);
  });

  it("rewrites a Buffer script without touching its non-UTF-8 bytes", () => {
    const body = Buffer.from([0x72, 0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x27, 0xff, 0xc3, 0x27]); // return '\xff\xc3'
    const script = Buffer.concat([Buffer.from("#!lua flags=allow-key-locking\n"), body]);
    const sent = prepareScriptCommand(["EVAL", script, "0"]).args[1];
    expect(sent).toEqual(Buffer.concat([Buffer.from("#!lua\n"), body]));
    expect(prepareScriptCommand(["EVALSHA", sha1(script), "0"]).args[1]).toBe(sha1(sent!));
  });

  it("leaves unrelated commands and their replies untouched, even when an argument is a known SHA-1", () => {
    prepareScriptCommand(["EVAL", flagged("return 'other'"), "0"]);
    const clientSha = sha1(flagged("return 'other'"));
    for (const args of [["SET", "k", clientSha], ["GET", clientSha], ["SCRIPT", "FLUSH"], ["FCALL", clientSha, "0"]]) {
      const prepared = prepareScriptCommand(args);
      expect(prepared.args).toEqual(args);
      expect(prepared.mapReply("OK")).toBe("OK");
    }
  });
});
