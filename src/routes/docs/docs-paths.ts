/** The interactive API reference. */
export const DOCS_PATH = "/docs";

/**
 * Where the docs page's script is served: Scalar's standalone browser bundle, a static asset of the
 * Worker (`[assets]` in wrangler.toml), copied there from node_modules by dev/docs-assets.ts. No
 * imports here: the Node-side copy step and the secure headers read it too.
 */
export const SCALAR_SCRIPT_PATH = "/docs/scalar-api-reference.js";
