export { createCache, type Cache, type CacheReadOptions, type CacheRequest, type CacheTier } from "./cache";
export { CacheState, DEFAULT_FILL_SETTINGS, type FillSettings, type Sleep } from "./cache-state";
export { familyKeys } from "./keys";
