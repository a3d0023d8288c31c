export { exportedSampleNames, methodLabel, METRICS, statusClass, UNMATCHED_ROUTE, type MetricName } from "./definitions";
export { aggregatorOf, type Aggregator } from "./aggregator";
export { writeRequestPoint } from "./analytics-engine";
export { EXPOSITION_CONTENT_TYPE, renderExposition } from "./exposition";
export { IsolateMetrics, labelText, type Sample } from "./isolate-metrics";
export { RequestMeter, type AuthMethod, type CacheTierLabel } from "./request-meter";
export { meteredDatabaseGuard } from "./metered-guard";
