export * from "./workspaces";
