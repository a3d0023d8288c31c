import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, redact } from "./logger.ts";

describe("redact", () => {
  it("replaces the password of a URL", () => {
    expect(redact("postgres://alice:s3cret@db.example:5432/app")).toBe("postgres://alice:***@db.example:5432/app");
  });

  it("replaces the password of every URL in the text", () => {
    expect(redact("from postgres://a:one@h1/db to redis://b:two@h2:6379, and https://c:three@h3")).toBe(
      "from postgres://a:***@h1/db to redis://b:***@h2:6379, and https://c:***@h3",
    );
  });

  it("replaces a password given without a user", () => {
    expect(redact("redis://:token@localhost:6379")).toBe("redis://:***@localhost:6379");
  });

  it("replaces a password holding colons or percent escapes", () => {
    expect(redact("postgres://u:a:b%40c@h/db")).toBe("postgres://u:***@h/db");
  });

  it("replaces passwords inside JSON fields", () => {
    expect(redact('{"url":"postgres://u:pw@h/db"}')).toBe('{"url":"postgres://u:***@h/db"}');
  });

  it("leaves a URL with a user but no password untouched", () => {
    expect(redact("postgres://alice@h:5432/db")).toBe("postgres://alice@h:5432/db");
  });

  it("leaves URLs without credentials and plain text untouched", () => {
    const text = "listening on http://127.0.0.1:8787/path?a=b:c, mail admin@example.com";
    expect(redact(text)).toBe(text);
  });

  // BUG (edge case): a raw '@' in the password (e.g. postgres://u:p@ss@h/db, which Node's URL
  // and pg accept, taking the last '@' as the delimiter) is redacted only up to its first '@',
  // so the rest of the password ("ss") is written to the logs.
  it("hides all of a password that contains a raw @", () => {
    expect(redact("postgres://u:p@ss@h/db")).toBe("postgres://u:***@h/db");
  });

  it("leaves a URL without credentials alone even when an @ follows later in a JSON line", () => {
    const line = '{"url":"http://127.0.0.1:8080","owner":"a@b.c"}';
    expect(redact(line)).toBe(line);
  });
});

describe("createLogger", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("writes one redacted line to stderr, fields included", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    createLogger("stack").warn("connect to postgres://u:pw@h/db failed", { url: "redis://:tok@h" });
    expect(write).toHaveBeenCalledWith('[stack] warn: connect to postgres://u:***@h/db failed {"url":"redis://:***@h"}\n');
  });

  it("drops info lines, but not warnings, when quiet", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const logger = createLogger("stack", { quiet: true });
    logger.info("hello");
    logger.error("boom");
    expect(write).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenCalledWith("[stack] error: boom\n");
  });
});
