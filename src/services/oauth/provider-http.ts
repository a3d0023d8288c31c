import { ArcticFetchError, OAuth2RequestError, UnexpectedErrorResponseBodyError, UnexpectedResponseError } from "arctic";
import type { z } from "zod";
import { ApiError } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { OAuthFlowError, type OAuthProviderName } from "./types";

/** The most of a provider's answer read: a token response, a user or its e-mail list is a few KB. */
const MAX_PROVIDER_BODY_BYTES = 64 * 1024;

/** One provider's calls: bounded by `timeoutMs`, logged (never with a value) when they fail. */
export interface ProviderCalls {
  provider: OAuthProviderName;
  timeoutMs: number;
  log: Logger;
}

/**
 * The provider failed us: late, unreachable, a 5xx, or an answer that is not what it documents. The
 * callback answers 502 and writes nothing more; the user may start again.
 */
export function providerUnavailable(calls: ProviderCalls, step: string, reason: string): ApiError {
  calls.log.warn("oauth provider unavailable", { provider: calls.provider, step, reason });
  return new ApiError("BAD_GATEWAY", { detail: "oauthProviderUnavailable", params: { provider: calls.provider } });
}

/**
 * A GET to the provider's API, bounded by the timeout (body included), answering its JSON parsed with
 * `schema`. A body that is not read is cancelled.
 */
export async function getJson<T extends z.ZodType>(calls: ProviderCalls, step: string, url: string, headers: Record<string, string>, schema: T): Promise<z.infer<T>> {
  const signal = AbortSignal.timeout(calls.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { headers, signal, redirect: "manual" });
  } catch (error) {
    throw providerUnavailable(calls, step, isTimeout(error) ? "timeout" : "unreachable");
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw providerUnavailable(calls, step, `status ${response.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await readCapped(response, MAX_PROVIDER_BODY_BYTES));
  } catch (error) {
    throw providerUnavailable(calls, step, isTimeout(error) ? "timeout" : "unreadable answer");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw providerUnavailable(calls, step, "unexpected answer");
  return parsed.data;
}

/**
 * `work` (arctic's token request, which takes no abort signal) bounded by the timeout. arctic's
 * errors become ours: the provider refusing the code (a wrong or used code, a PKCE verifier that does
 * not match) is a refusal the user sees; anything else, an outage.
 */
export async function tokenRequest<T>(calls: ProviderCalls, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(providerUnavailable(calls, "token", "timeout")), calls.timeoutMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (error instanceof OAuth2RequestError) throw codeRefused(calls, error.code);
    if (error instanceof ArcticFetchError) throw providerUnavailable(calls, "token", "unreachable");
    if (error instanceof UnexpectedResponseError || error instanceof UnexpectedErrorResponseBodyError) {
      // A 400 or 401 refuses the request even when its body is not RFC 6749's error shape.
      if (error.status === 400 || error.status === 401) throw codeRefused(calls, `status ${error.status}`);
      throw providerUnavailable(calls, "token", `status ${error.status}`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function codeRefused(calls: ProviderCalls, reason: string): OAuthFlowError {
  calls.log.info("oauth code refused", { provider: calls.provider, reason: reason.slice(0, 64) });
  return new OAuthFlowError("provider_refused");
}

/** Reads at most `maxBytes` of `response`'s body as text, cancelling the rest; past it, throws. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error("body too large");
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error("body too large");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}
