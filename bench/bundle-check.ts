// `npm run bundle:check`: builds the Worker as `wrangler deploy` would (bench/build.ts, nothing uploaded),
// minified, and fails when its gzipped size is over the budget. CI runs it (.ci/run and the GitHub workflow).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildWorker, formatBuild, kib, type BuildResult } from "./build.ts";

/**
 * The one place the budget is stated: gzip level 9 of the minified bundle and its text modules, in bytes.
 * The bundle measured about 478 KiB gzip (1,667 KiB raw) when this was set, after the domain
 * API, OAuth, webhooks and real-time notifications (it was 372 KiB at the first budget, 450);
 * 575 KiB leaves about a fifth for growth, so a dependency that doubles the bundle fails the
 * check while ordinary features do not. The largest share is zod (about 460 KiB raw). Cloudflare's own limits (3 MiB compressed on the free plan,
 * 10 MiB on paid plans) are far above it: the budget guards start-up time, not the upload. Minified,
 * though what deploys is not (wrangler.toml): the measure of how much code there is stays what it was.
 * Raise it deliberately, in this line, with the reason in the commit.
 */
export const BUNDLE_GZIP_BUDGET_BYTES = 575 * 1024;

/** Whether a build fits the budget, and the line that says so. */
export function checkBudget(result: BuildResult, budgetBytes = BUNDLE_GZIP_BUDGET_BYTES): { ok: boolean; message: string } {
  const share = ((result.gzipBytes / budgetBytes) * 100).toFixed(1);
  const ok = result.gzipBytes <= budgetBytes;
  const verdict = ok ? "within" : "OVER";
  return { ok, message: `${formatBuild(result)}; ${verdict} the budget of ${kib(budgetBytes)} gzip (${share}%)` };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { ok, message } = checkBudget(await buildWorker({ minify: true }));
    if (ok) console.log(`bundle:check: ${message}`);
    else {
      console.error(`bundle:check: ${message}: shrink the bundle, or raise BUNDLE_GZIP_BUDGET_BYTES in bench/bundle-check.ts on purpose`);
      process.exitCode = 1;
    }
  } catch (error) {
    console.error(`bundle:check: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
