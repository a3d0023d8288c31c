// Copies the docs page's script, Scalar's standalone browser bundle, from node_modules to the
// Worker's static assets (`[assets]` in wrangler.toml, a git-ignored folder). wrangler runs it before
// `dev` and `deploy` (`[build] command`); vitest.config.ts before the tests start.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SCALAR_SCRIPT_PATH } from "../src/routes/docs/docs-paths.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
/** wrangler.toml's `[assets] directory`. */
export const ASSETS_DIR = path.join(root, "assets");

/** Puts the bundle where the Worker serves it; idempotent and quick (one file copy). */
export function prepareDocsAssets(): void {
  // The package exports no path to it: it sits beside the main entry, in dist/browser/.
  const main = createRequire(import.meta.url).resolve("@scalar/api-reference");
  const bundle = path.join(path.dirname(main), "browser", "standalone.js");
  const target = path.join(ASSETS_DIR, SCALAR_SCRIPT_PATH);
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(bundle, target);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) prepareDocsAssets();
