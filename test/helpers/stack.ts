import { inject } from "vitest";
import type { Fault, EndpointName } from "../../dev/faults.ts";
import type { FaultStackName, OwnDatabaseStackName, StackInfo } from "../../dev/stack-info.ts";

/** The local stack this run's Worker is bound to (machine PostgreSQL in a fresh database, Redis). */
export function testStack(): StackInfo {
  return inject("stack");
}

/**
 * This run's private fault stack `name` (declared in dev/stack-info.ts): the same database and
 * Redis as `testStack()`, but the faults set on it reach no other test file.
 * @example const stack = faultStack("database")
 */
export function faultStack(name: FaultStackName): StackInfo {
  return inject("faultStacks")[name];
}

/**
 * This run's stack `name` over a database of its own (declared in dev/stack-info.ts): for a file
 * whose rows would change what other files' requests see. Its faults reach no other file either.
 * @example const stack = ownDatabaseStack("ip-rules")
 */
export function ownDatabaseStack(name: OwnDatabaseStackName): StackInfo {
  return inject("ownDatabaseStacks")[name];
}

/** Makes one of a fault stack's endpoints slow, failing or unreachable until `clearFaults`. */
export async function setFault(endpoint: EndpointName, fault: Fault, stack: StackInfo): Promise<void> {
  const response = await fetch(`${stack.controlUrl}/faults/${endpoint}`, { method: "PUT", body: JSON.stringify(fault) });
  if (!response.ok) throw new Error(`could not set fault: ${response.status} ${await response.text()}`);
}

export async function clearFaults(stack: StackInfo): Promise<void> {
  const response = await fetch(`${stack.controlUrl}/faults`, { method: "DELETE" });
  await response.body?.cancel();
}
