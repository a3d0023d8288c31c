/** Longer than any bound of the work requests share (a database read, a Redis command, a key import). */
export const SHARED_WORK_TIMEOUT_MS = 10_000;

/**
 * `shared`, a promise another request of the isolate may have made, as a promise of this request's
 * own that rejects with `timedOut()` after `timeoutMs`. workerd runs a promise's continuations in the
 * request that created it: a request that awaited another's promise directly would go on inside that
 * other request (its own I/O then fails with "Cannot perform I/O on behalf of a different request")
 * or never, should that request end first. Settling a promise this request made, from the other
 * request, hands the continuation back here. The timer keeps this request visibly waiting: workerd
 * cancels a request with nothing of its own in flight as hung.
 * @example const rules = await ownPromise(reading, () => new DependencyUnavailableError("database", "timeout"))
 */
export function ownPromise<T>(shared: Promise<T>, timedOut: () => Error, timeoutMs = SHARED_WORK_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => reject(timedOut()), timeoutMs);
    shared.then(resolve, reject);
  }).finally(() => clearTimeout(timer));
}
