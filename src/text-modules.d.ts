// Wrangler bundles a `.txt` import as a text module (its default rules), and the test pool follows them.
declare module "*.txt" {
  const text: string;
  export default text;
}
