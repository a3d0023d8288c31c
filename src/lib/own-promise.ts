/**
 * `shared`, a promise another request of the isolate may have made, as a promise of this request's
 * own. workerd runs a promise's continuations in the request that created it: a request that awaited
 * another's promise directly would go on inside that other request (its own I/O then fails with
 * "Cannot perform I/O on behalf of a different request") or never, should that request end first.
 * Settling a promise this request made, from the other request, hands the continuation back here.
 * @example const profile = await ownPromise(flights.get(slot)!)
 */
export function ownPromise<T>(shared: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    shared.then(resolve, reject);
  });
}
