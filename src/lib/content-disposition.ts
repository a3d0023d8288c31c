/**
 * `Content-Disposition: attachment` naming `fileName` (RFC 6266): `filename*` carries it whole in
 * UTF-8 (RFC 8187), `filename` an ASCII stand-in for old clients, with anything that could end or
 * bend the quoted string replaced.
 * @example attachmentDisposition("Bericht März.pdf") // attachment; filename="Bericht M_rz.pdf"; filename*=UTF-8''Bericht%20M%C3%A4rz.pdf
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The longest file name kept, in characters (the table's check says the same). */
export const MAX_FILE_NAME_LENGTH = 255;

/**
 * A client's file name as it may be stored: its last path segment, NFC, without control or
 * bidirectional-override characters, trimmed and cut to MAX_FILE_NAME_LENGTH characters; undefined
 * when nothing is left.
 */
export function cleanFileName(name: string): string | undefined {
  const base = name.normalize("NFC").split(/[/\\]/).at(-1) ?? "";
  // Controls, and the format characters that turn `gpj.exe` into what reads as `exe.jpg`.
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").trim();
  const cut = Array.from(cleaned).slice(0, MAX_FILE_NAME_LENGTH).join("");
  return cut === "" || cut === "." || cut === ".." ? undefined : cut;
}
