/** The cron expressions of wrangler.toml's `[triggers]`, the same in every environment. */
export const CRONS = {
  /** The purges of deleted workspaces, of attachments' files and of expired rows. */
  hourly: "17 * * * *",
  /** The event relay's sweep for events whose wake-up message was lost, and the webhook deliveries' for lost messages. */
  everyMinute: "* * * * *",
} as const;
