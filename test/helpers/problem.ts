import { expect } from "vitest";
import { PROBLEM_TYPE_BASE } from "../../src/lib/problem";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: Array<{ path: string; message: string; code: string }>;
  [extension: string]: unknown;
}

/** Internal messages a test planted; no response may ever contain them. */
export const PLANTED_SECRETS = ["secret internal detail", "db.ts:42", "hunter2"];

/**
 * Asserts a response reveals nothing internal: no stack frames, no file positions, no error class
 * prefixes, none of the planted secrets (plus `secrets`), in the body or in any header.
 */
export async function expectNoLeak(response: Response, secrets: readonly string[] = []): Promise<void> {
  const body = await response.clone().text();
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  for (const text of [body, headers]) {
    expect(text).not.toMatch(/\bat \S+ \(|^\s*at \S+/m); // V8 stack frames
    expect(text).not.toMatch(/\.[cm]?[jt]s:\d+/); // file:line positions
    expect(text).not.toMatch(/\b[A-Z]\w*Error: /); // "TypeError: ..." style messages
    for (const secret of [...PLANTED_SECRETS, ...secrets]) expect(text).not.toContain(secret);
  }
}

/**
 * Asserts `response` is an RFC 9457 problem with `status` and `code`, carrying the request id in
 * both header and body, uncached and leak-free; returns the parsed problem for further checks.
 */
export async function expectProblem(response: Response, expected: { status: number; code: string }): Promise<Problem> {
  await expectNoLeak(response);
  expect(response.status).toBe(expected.status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Content-Language")).toMatch(/^(en|de|es)$/);
  const requestId = response.headers.get("X-Request-Id");
  expect(requestId).toBeTruthy();

  const problem = await response.json<Problem>();
  expect(problem).toMatchObject({
    type: PROBLEM_TYPE_BASE + expected.code.toLowerCase().replaceAll("_", "-"),
    status: expected.status,
    code: expected.code,
    requestId,
  });
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.instance).toMatch(/^\//);
  return problem;
}
