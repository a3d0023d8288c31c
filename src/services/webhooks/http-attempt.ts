import { checkTarget, type AddressPolicy } from "./address-policy";
import { signatureHeader } from "./signing";

/** The whole attempt (connecting, sending, the answer's head) gets this long; then it failed. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Of an answer's body, only this much is read (for the log); the rest is cancelled. */
const MAX_RESPONSE_BYTES = 1024;
/** The log's `error` column holds at most 1000 characters. */
const MAX_ERROR_CHARS = 1000;
const USER_AGENT = "edge-backend-webhooks/1";

/** What to send: the delivery's id, the signing secrets in use (current first) and the payload. */
export interface OutgoingWebhook {
  deliveryId: string;
  url: string;
  secrets: readonly string[];
  /** The serialised `{"type","timestamp","data"}`. */
  body: string;
  /** Unix seconds: the `webhook-timestamp`, signed with the body. */
  timestamp: number;
}

/** What one attempt came to: the answer's status (null without one), its time, why it failed. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface AttemptDeps {
  policy: AddressPolicy;
  fetcher?: typeof fetch;
}

/**
 * Sends one webhook: the target checked first (SSRF policy, DNS resolved now), then a signed POST
 * with `redirect: "manual"` (a 3xx is a failure, never followed) bounded by ATTEMPT_TIMEOUT_MS, of
 * whose answer the first KB is read. Only a 2xx succeeds. Never throws: every failure is a result.
 */
export async function sendWebhook(webhook: OutgoingWebhook, { policy, fetcher = fetch }: AttemptDeps): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = new URL(webhook.url);
  const verdict = await checkTarget(url, policy);
  if (!verdict.ok) return { ok: false, statusCode: null, durationMs: elapsed(), error: `refused: ${verdict.reason}` };
  let response: Response;
  try {
    response = await fetcher(url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": webhook.deliveryId,
        "webhook-timestamp": String(webhook.timestamp),
        "webhook-signature": await signatureHeader(webhook.secrets, webhook.deliveryId, webhook.timestamp, webhook.body),
      },
      body: webhook.body,
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { ok: false, statusCode: null, durationMs: elapsed(), error: timedOut ? `no answer within ${ATTEMPT_TIMEOUT_MS} ms` : "connection failed" };
  }
  const text = await readStart(response);
  const ok = response.status >= 200 && response.status < 300;
  const redirected = response.status >= 300 && response.status < 400;
  const error = ok ? null : redirected ? "redirect not followed" : text.slice(0, MAX_ERROR_CHARS) || null;
  return { ok, statusCode: response.status, durationMs: elapsed(), error };
}

/** The first MAX_RESPONSE_BYTES of the answer's body as text; the rest is cancelled, never read. */
async function readStart(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      // One stream's chunks, in order: sequential by nature.
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off midway: what came is enough for the log.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(Math.min(size, MAX_RESPONSE_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
    if (offset >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}
