/** The first bytes of a body, and the body whole again for whoever reads it next. */
export interface BodyPrefix {
  /** The bytes read: all of them when `complete`, else at least `limit + 1`. */
  bytes: Uint8Array;
  /** Whether the body ended within the limit. */
  complete: boolean;
  /** The body as it was: the bytes read, then whatever was left unread. */
  body: ReadableStream<Uint8Array>;
}

/**
 * Reads a body until it ends or passes `limit` bytes, whichever comes first, so a caller can decide
 * on a body's size without buffering a large one: past the limit, the rest stays a stream.
 * @example const { complete, bytes, body } = await readPrefix(response.body, 1024)
 */
export async function readPrefix(stream: ReadableStream<Uint8Array>, limit: number): Promise<BodyPrefix> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  while (size <= limit) {
    // Sequential by nature: each read is the next chunk of one stream.
    const { value, done } = await reader.read();
    if (done) {
      complete = true;
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const bytes = concat(chunks, size);
  return { bytes, complete, body: complete ? single(bytes) : replay(bytes, reader) };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function single(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

function replay(prefix: Uint8Array, reader: ReadableStreamDefaultReader<Uint8Array>): ReadableStream<Uint8Array> {
  let sentPrefix = false;
  return new ReadableStream({
    async pull(controller) {
      if (!sentPrefix) {
        sentPrefix = true;
        controller.enqueue(prefix);
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
