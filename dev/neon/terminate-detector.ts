/**
 * Follows the boundaries of the messages a Postgres client sends, to notice its Terminate
 * message ('X', int32 length 4). Only headers are read; message bodies are skipped.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58;

export class TerminateDetector {
  /** Before the StartupMessage, messages have no type byte: an 8-byte header (length, code). */
  #untyped = true;
  /** After a TLS or GSS upgrade the bytes are encrypted and can no longer be followed. */
  #blind = false;
  #awaitingUpgradeAnswer = false;
  #header: Buffer = Buffer.alloc(0);
  #bodyLeft = 0;

  /** Feeds client bytes; returns true when they complete a Terminate message. */
  push(chunk: Buffer): boolean {
    let offset = 0;
    while (!this.#blind && offset < chunk.length) {
      if (this.#bodyLeft > 0) {
        const skipped = Math.min(this.#bodyLeft, chunk.length - offset);
        this.#bodyLeft -= skipped;
        offset += skipped;
        continue;
      }
      const headerSize = this.#untyped ? 8 : 5;
      const taken = chunk.subarray(offset, offset + headerSize - this.#header.length);
      offset += taken.length;
      this.#header = Buffer.concat([this.#header, taken]);
      if (this.#header.length < headerSize) break;
      if (this.#readHeader(this.#header)) return true;
      this.#header = Buffer.alloc(0);
    }
    return false;
  }

  /** Feeds the server's bytes: its answer to SSLRequest/GSSENCRequest decides if we go blind. */
  serverSent(chunk: Buffer): void {
    if (!this.#awaitingUpgradeAnswer || chunk.length === 0) return;
    this.#awaitingUpgradeAnswer = false;
    if (chunk[0] === 0x53 /* S */ || chunk[0] === 0x47 /* G */) this.#blind = true;
  }

  #readHeader(header: Buffer): boolean {
    if (this.#untyped) {
      const length = header.readInt32BE(0);
      const code = header.readInt32BE(4);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.#awaitingUpgradeAnswer = true;
      else this.#untyped = false; // StartupMessage (or CancelRequest, after which nothing follows)
      return this.#skip(length - 8);
    }
    const length = header.readInt32BE(1);
    if (header[0] === TERMINATE && length === 4) return true;
    return this.#skip(length - 4);
  }

  #skip(bodyLength: number): boolean {
    if (bodyLength < 0) this.#blind = true; // not a Postgres stream we understand: just pipe it
    else this.#bodyLeft = bodyLength;
    return false;
  }
}
