/** Frames that decide what an error is: where it was thrown and the few calls that led there. */
const FINGERPRINT_FRAMES = 5;

/**
 * A stable id for one kind of failure, the same on every request and every isolate that meets it:
 * the SHA-256 (first 16 hex characters) of the error's name and its top stack frames, each without
 * its line and column (they move with every edit) or its directory (it differs by machine). The
 * message is left out: it carries values and would split one bug into many.
 * @example await errorFingerprint(new TypeError("x")) // "3f0c9a1b2d4e5f60"
 */
export async function errorFingerprint(error: unknown): Promise<string> {
  const name = error instanceof Error ? error.name : typeof error;
  const frames = error instanceof Error && error.stack ? topFrames(error.stack) : [];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([name, ...frames].join("\n")));
  return [...new Uint8Array(digest, 0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `at fn (file:///…/src/app.ts:12:34)` as `fn (app.ts)`. */
function topFrames(stack: string): string[] {
  return stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, FINGERPRINT_FRAMES)
    .map((line) =>
      line
        .trim()
        .slice(3)
        .replace(/:\d+(?::\d+)?(?=\)?$)/, "")
        .replace(/(?:[a-z][\w+.-]*:\/\/)?[^\s()]*\//gi, ""),
    );
}
