import { createServer } from "node:http";
import { type Fault, type FaultSwitch, isEndpointName } from "./faults.ts";
import { closeServer, listen } from "./listen.ts";

/**
 * A small HTTP API over the fault switch, so tests running inside workerd can make an endpoint
 * slow, failing or unreachable:
 *   PUT    /faults/:endpoint   {"latencyMs":200} | {"errorStatus":503} | {"drop":true}
 *   DELETE /faults[/:endpoint]
 *   GET    /faults
 */
export async function startControlServer(faults: FaultSwitch, host = "127.0.0.1", port = 0) {
  const server = createServer(async (request, response) => {
    const [, resource, endpoint] = (request.url ?? "/").split("?")[0]!.split("/");
    const reply = (status: number, body?: unknown) => {
      response.writeHead(status, { "content-type": "application/json" }).end(body === undefined ? "" : JSON.stringify(body));
    };
    if (resource !== "faults") return reply(404, { error: "not found" });
    if (endpoint !== undefined && !isEndpointName(endpoint)) return reply(404, { error: `unknown endpoint ${endpoint}` });

    if (request.method === "GET") return reply(200, faults.snapshot());
    if (request.method === "DELETE") {
      faults.clear(endpoint);
      return reply(204);
    }
    if (request.method === "PUT" && endpoint) {
      const fault = parseFault(await readBody(request));
      if (!fault) return reply(400, { error: "expected {latencyMs?: number, errorStatus?: number, drop?: boolean}" });
      faults.set(endpoint, fault);
      return reply(200, fault);
    }
    return reply(405, { error: "method not allowed" });
  });
  const boundPort = await listen(server, host, port);
  return { url: `http://${host}:${boundPort}`, close: () => closeServer(server) };
}

async function readBody(request: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > 4096) return "";
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseFault(text: string): Fault | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const { latencyMs, errorStatus, drop, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0) return undefined;
    if (latencyMs !== undefined && (typeof latencyMs !== "number" || latencyMs < 0 || latencyMs > 60_000)) return undefined;
    if (errorStatus !== undefined && (typeof errorStatus !== "number" || errorStatus < 400 || errorStatus > 599)) return undefined;
    if (drop !== undefined && typeof drop !== "boolean") return undefined;
    return { latencyMs, errorStatus, drop } as Fault;
  } catch {
    return undefined;
  }
}
