/**
 * A fresh ATTACHMENT_URL_SECRET for a local run (npm run dev, the test pool, the docs tests): random
 * per start, so download links of an earlier run stop working, as they would after a rotation.
 */
export function randomAttachmentUrlSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
