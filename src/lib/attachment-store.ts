import { ApiError, DependencyUnavailableError } from "./errors";

/** A read or delete that takes longer than this is answered 503; R2 answers in tens of milliseconds. */
const OPERATION_TIMEOUT_MS = 10_000;
/** An upload may take as long as the client's network needs, up to this. */
const UPLOAD_TIMEOUT_MS = 120_000;
/** Keys one R2 delete call takes at most. */
export const MAX_DELETE_KEYS = 1000;

/** A stored file, ready to be sent on. */
export interface StoredFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

/** Why an upload did not store a file: the body was not as long as stated. */
export class UploadLengthError extends Error {
  override readonly name = "UploadLengthError";
  constructor(readonly received: "short" | "long") {
    super(`upload body too ${received}`);
  }
}

/**
 * The attachments' R2 bucket (binding ATTACHMENTS), the one module that touches it: timeouts, and
 * a stream of exactly the stated length for R2.
 */
export interface AttachmentStore {
  /**
   * Streams `body` into the object `key`, never holding it whole, with its SHA-256 (base64) taken on the way;
   * `length` is what the body must have (R2 needs it up front). A body shorter or longer rejects with
   * UploadLengthError and stores nothing.
   */
  put(key: string, body: ReadableStream<Uint8Array>, length: number, contentType: string): Promise<{ sha256: string }>;
  /** The object `key`, or undefined when it is not there. */
  get(key: string): Promise<StoredFile | undefined>;
  /** Deletes the objects `keys` (at most MAX_DELETE_KEYS); absent ones are no error. */
  delete(keys: readonly string[]): Promise<void>;
}

export function attachmentStore(bucket: R2Bucket | undefined): AttachmentStore {
  const binding = (): R2Bucket => {
    if (!bucket) throw new ApiError("CONFIGURATION_ERROR", { cause: new Error("the ATTACHMENTS bucket is not bound") });
    return bucket;
  };
  return {
    async put(key, body, length, contentType) {
      const digest = new crypto.DigestStream("SHA-256");
      const counted = countAndHash(length, digest);
      const fixed = new FixedLengthStream(length);
      const piping = body.pipeThrough(counted.stream).pipeTo(fixed.writable);
      const [stored, piped] = await Promise.allSettled([within(binding().put(key, fixed.readable, { httpMetadata: { contentType } }), UPLOAD_TIMEOUT_MS), piping]);
      const failure = counted.failure() ?? (piped.status === "rejected" ? piped.reason : stored.status === "rejected" ? stored.reason : undefined);
      if (failure) throw failure;
      return { sha256: toBase64(await digest.digest) };
    },
    async get(key) {
      const object = await within(binding().get(key), OPERATION_TIMEOUT_MS);
      return object ? { body: object.body, size: object.size } : undefined;
    },
    async delete(keys) {
      if (keys.length > 0) await within(binding().delete([...keys]), OPERATION_TIMEOUT_MS);
    },
  };
}

/**
 * A pass-through that hashes what flows into `digest` and counts it: past `length` it fails at once
 * (a client that lies in Content-Length is stopped while streaming, not after), short of it at the
 * end. Each chunk is passed on only once the next one arrives (or the body ends), so a body too long
 * fails before R2 has received the stated length and stores nothing.
 */
function countAndHash(length: number, digest: DigestStream) {
  const writer = digest.getWriter();
  let received = 0;
  let held: Uint8Array | undefined;
  let failure: UploadLengthError | undefined;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > length) throw (failure = new UploadLengthError("long"));
      await writer.write(chunk);
      if (held) controller.enqueue(held);
      held = chunk;
    },
    async flush(controller) {
      if (received < length) throw (failure = new UploadLengthError("short"));
      if (held) controller.enqueue(held);
      await writer.close();
    },
  });
  return { stream, failure: () => failure };
}

function toBase64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyUnavailableError("r2", "timeout")), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
