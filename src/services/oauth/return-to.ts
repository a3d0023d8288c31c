/** The longest `returnTo` accepted. */
export const MAX_RETURN_TO_LENGTH = 2048;

// A path that a browser could read as another host: `//host`, `/\host` (backslashes count as slashes
// in http URLs), or one carrying control characters, which URL parsers strip or stop at.
const UNSAFE_PATH = /^\/[\/\\]|[\\\u0000-\u001f\u007f]/;

/**
 * Where a finished sign-in may send the browser: a path on the web app (`/settings`, resolved against
 * APP_URL) or an absolute URL on the web app's origin or one of OAUTH_RETURN_ORIGINS. Anything else
 * (`//evil.example`, `https://evil.example`, `/\evil.example`, `javascript:`) is undefined: refused.
 * Returns the absolute URL to keep.
 * @example resolveReturnTo("/welcome", { appUrl: "https://app.example.com", origins: [] }) // "https://app.example.com/welcome"
 */
export function resolveReturnTo(value: string, allowed: { appUrl: string; origins: readonly string[] }): string | undefined {
  if (value.length === 0 || value.length > MAX_RETURN_TO_LENGTH) return undefined;
  const app = new URL(allowed.appUrl);
  if (value.startsWith("/")) {
    if (UNSAFE_PATH.test(value)) return undefined;
    const url = new URL(value, app);
    // Whatever the parser made of it, it must still be on the web app.
    return url.origin === app.origin ? url.toString() : undefined;
  }
  if (/[\\\u0000-\u001f\u007f\s]/.test(value) || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username || url.password) return undefined;
  return url.origin === app.origin || allowed.origins.includes(url.origin) ? url.toString() : undefined;
}

/** `returnTo` with `params` added to its query: the one-time code, or the error, for the web app. */
export function returnUrl(returnTo: string, params: Record<string, string>): string {
  const url = new URL(returnTo);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}
