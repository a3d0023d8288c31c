import { inject } from "vitest";
import type { Fault, EndpointName } from "../../dev/faults.ts";
import type { StackInfo } from "../../dev/stack-info.ts";

/** The local stack this run's Worker is bound to (machine PostgreSQL in a fresh database, Redis). */
export function testStack(): StackInfo {
  return inject("stack");
}

/** Makes one of the stack's endpoints slow, failing or unreachable until `clearFaults`. */
export async function setFault(endpoint: EndpointName, fault: Fault, stack: StackInfo = testStack()): Promise<void> {
  const response = await fetch(`${stack.controlUrl}/faults/${endpoint}`, { method: "PUT", body: JSON.stringify(fault) });
  if (!response.ok) throw new Error(`could not set fault: ${response.status} ${await response.text()}`);
}

export async function clearFaults(stack: StackInfo = testStack()): Promise<void> {
  const response = await fetch(`${stack.controlUrl}/faults`, { method: "DELETE" });
  await response.body?.cancel();
}
