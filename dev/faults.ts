/**
 * Run-time fault injection for the local stack's endpoints, so reliability tests can make
 * the database or Redis slow, failing or unreachable and then bring it back.
 */

export const ENDPOINTS = ["neonHttp", "neonWs", "upstash"] as const;
export type EndpointName = (typeof ENDPOINTS)[number];

export interface Fault {
  /** Milliseconds added before the endpoint handles a request or connection. */
  latencyMs?: number;
  /** Answer every request with this HTTP status in the endpoint's own error shape. */
  errorStatus?: number;
  /** Destroy the client's connection without an answer. */
  drop?: boolean;
}

export function isEndpointName(value: string): value is EndpointName {
  return (ENDPOINTS as readonly string[]).includes(value);
}

/**
 * Holds the fault currently set for each endpoint; endpoints read it on every request (`arrive`),
 * which also counts the request, so the bench can report round trips per request.
 */
export class FaultSwitch {
  readonly #faults = new Map<EndpointName, Fault>();
  readonly #arrivals = new Map<EndpointName, number>();

  set(endpoint: EndpointName, fault: Fault): void {
    this.#faults.set(endpoint, { ...fault });
  }

  clear(endpoint?: EndpointName): void {
    if (endpoint) this.#faults.delete(endpoint);
    else this.#faults.clear();
  }

  get(endpoint: EndpointName): Fault {
    return this.#faults.get(endpoint) ?? {};
  }

  /** The fault for a request or connection arriving at `endpoint`, counted. */
  arrive(endpoint: EndpointName): Fault {
    this.#arrivals.set(endpoint, (this.#arrivals.get(endpoint) ?? 0) + 1);
    return this.get(endpoint);
  }

  /** Requests (Neon HTTP, Upstash) and connections (Neon WebSocket) each endpoint received so far. */
  arrivals(): Record<EndpointName, number> {
    return Object.fromEntries(ENDPOINTS.map((endpoint) => [endpoint, this.#arrivals.get(endpoint) ?? 0])) as Record<EndpointName, number>;
  }

  snapshot(): Record<string, Fault> {
    return Object.fromEntries(this.#faults);
  }
}

/** Waits for the fault's latency, if any. */
export async function delayFor(fault: Fault): Promise<void> {
  if (fault.latencyMs && fault.latencyMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
  }
}
