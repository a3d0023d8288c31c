export * from "./audit-log";
export * from "./ip-rules";
export * from "./mail-outbox";
export * from "./one-time-tokens";
export * from "./refresh-tokens";
export * from "./sessions";
export * from "./users";
export * from "./workspaces";
