// The account the identity scenarios use: registered through the API, then signed in once.
import type { BenchSession } from "./scenarios.ts";

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
}

/** Registers a fresh account on the app at `baseUrl` and signs it in; throws with the answer when either fails. */
export async function signInForBench(baseUrl: string): Promise<BenchSession> {
  const email = `bench-${Date.now().toString(36)}@example.test`;
  const password = "a bench password that is long enough";
  const registered = await post(`${baseUrl}/v1/auth/register`, { email, password });
  if (registered.status !== 202) throw new Error(`registering the bench account answered ${registered.status}: ${await registered.text()}`);
  const signedIn = await post(`${baseUrl}/v1/auth/login`, { email, password });
  if (signedIn.status !== 200) throw new Error(`signing the bench account in answered ${signedIn.status}: ${await signedIn.text()}`);
  const { accessToken } = (await signedIn.json()) as { accessToken: string };
  return { email, password, accessToken };
}
