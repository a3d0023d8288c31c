import type { RequestMeter } from "./request-meter";

/** Analytics Engine caps an index at 96 bytes; route templates fit, this keeps a long one from failing the write. */
const MAX_INDEX_LENGTH = 96;

/** What one request was, as the columns `blob1…`, `double1…` of the dataset (the README lists them). */
export interface RequestSummary {
  route: string;
  method: string;
  statusClass: string;
  status: number;
  seconds: number;
}

/**
 * One data point per request to Workers Analytics Engine. `writeDataPoint` returns at once (the
 * runtime sends points in the background), so it costs the request no round trip.
 */
export function writeRequestPoint(dataset: AnalyticsEngineDataset, request: RequestSummary, meter: RequestMeter): void {
  dataset.writeDataPoint({
    indexes: [request.route.slice(0, MAX_INDEX_LENGTH)],
    blobs: [request.route, request.method, request.statusClass, meter.errorCode, meter.authMethod],
    doubles: [request.status, request.seconds, meter.databaseCalls, meter.databaseSeconds, meter.cacheHits, meter.cacheMisses, meter.rateLimited ? 1 : 0],
  });
}
