import { inject } from "vitest";
import type { ReceivedPost } from "../../dev/telemetry-receiver.ts";

/** A path of the test stacks' telemetry receiver that only one test posts to. */
export interface ReceiverEndpoint {
  /** What the app is configured with, e.g. OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** The prefix of every path the app posts to from it. */
  path: string;
}

/**
 * An OTLP endpoint of the receiver (dev/telemetry-receiver.ts) under a path of this test's own.
 * @example call(app, "/v1/x", undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: receiverEndpoint("otlp").url })
 */
export function receiverEndpoint(name: string): ReceiverEndpoint {
  const path = `/${name}/${crypto.randomUUID()}`;
  return { url: `${inject("telemetryReceiverUrl")}${path}`, path };
}

/** A Sentry DSN whose envelopes reach the receiver under `/api/<a project id of this test's own>/`. */
export function receiverDsn(): ReceiverEndpoint {
  const project = String(crypto.getRandomValues(new Uint32Array(1))[0]);
  const receiver = new URL(inject("telemetryReceiverUrl"));
  return { url: `${receiver.protocol}//publickey@${receiver.host}/${project}`, path: `/api/${project}/` };
}

/** What the receiver was sent under the endpoint's path, oldest first. */
export async function receivedPosts(endpoint: ReceiverEndpoint): Promise<ReceivedPost[]> {
  const response = await fetch(`${inject("telemetryReceiverUrl")}/received?prefix=${encodeURIComponent(endpoint.path)}`);
  return (await response.json()) as ReceivedPost[];
}
