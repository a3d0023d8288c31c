// The strictness of test/noise-setup.ts, in both vitest projects (inside workerd and in Node).
import { describe, expect, it, vi } from "vitest";
import { allowConsoleError, allowUnhandledRejection, NoiseRecorder } from "../helpers/expected-noise";

describe("the noise recorder", () => {
  it("reports console.error output and unhandled rejections nobody declared", () => {
    const recorder = new NoiseRecorder();
    recorder.hear("console.error", ["request failed", { status: 500 }]);
    recorder.hear("unhandled rejection", [new TypeError("socket closed")]);
    expect(recorder.take()).toEqual([
      { kind: "console.error", text: 'request failed {"status":500}' },
      { kind: "unhandled rejection", text: "TypeError: socket closed" },
    ]);
  });

  it("lets declared noise pass by substring or RegExp, for its own kind only, and reports the rest", () => {
    const recorder = new NoiseRecorder();
    recorder.allow("console.error", "unhandled error", "the route throws on purpose");
    recorder.allow("unhandled rejection", /connection lost/i, "the endpoint drops connections");
    recorder.hear("console.error", ['{"msg":"unhandled error"}']);
    recorder.hear("console.error", ["Network connection lost"]);
    recorder.hear("unhandled rejection", [new Error("Network connection lost.")]);
    recorder.hear("unhandled rejection", ["unhandled error"]);
    expect(recorder.take()).toEqual([
      { kind: "console.error", text: "Network connection lost" },
      { kind: "unhandled rejection", text: "unhandled error" },
    ]);
  });

  it("forgets what it heard and what was declared once taken, so each test starts clean", () => {
    const recorder = new NoiseRecorder();
    recorder.allow("console.error", "expected", "declared for the first test only");
    recorder.hear("console.error", ["expected"]);
    expect(recorder.take()).toEqual([]);
    recorder.hear("console.error", ["expected"]);
    expect(recorder.take()).toEqual([{ kind: "console.error", text: "expected" }]);
    expect(recorder.take()).toEqual([]);
  });

  it("refuses a declaration that does not say why", () => {
    expect(() => new NoiseRecorder().allow("console.error", "x", " ")).toThrow(/say why/);
  });
});

describe("a test under test/noise-setup.ts", () => {
  const failures: string[] = [];
  const recordFailure = ({ task }: { task: { result?: { errors?: Array<{ message: string }> } } }) => {
    failures.push((task.result?.errors ?? []).map((error) => error.message).join("\n"));
  };

  it.fails("fails when it writes to console.error without declaring it", ({ onTestFailed }) => {
    onTestFailed(recordFailure);
    console.error("undeclared console.error from the self-test of test/noise-setup.ts (expected in the output)");
  });

  it.fails("fails when it leaves a rejection unhandled without declaring it", ({ onTestFailed }) => {
    onTestFailed(recordFailure);
    void Promise.reject(new Error("undeclared rejection from the self-test"));
  });

  it("failed those two for their noise, naming it", () => {
    expect(failures).toEqual([
      expect.stringMatching(/undeclared noise[\s\S]*console\.error: undeclared console\.error from the self-test/),
      expect.stringMatching(/undeclared noise[\s\S]*unhandled rejection: Error: undeclared rejection from the self-test/),
    ]);
  });

  it("passes when its noise was declared", () => {
    allowConsoleError("declared console.error", "the self-test writes it on purpose");
    allowUnhandledRejection(/declared rejection/, "the self-test leaves it on purpose");
    console.error("declared console.error from the self-test (expected in the output)");
    void Promise.reject(new Error("declared rejection from the self-test"));
  });

  it("passes when it replaced console.error with a spy, which declares it", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    console.error("caught by the spy");
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });
});
