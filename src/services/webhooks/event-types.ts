import { DOMAIN_ACTIONS } from "../domain/actions";

/** Written when an endpoint that kept failing for the delivery window is disabled; owners and admins are told. */
export const ENDPOINT_DISABLED_EVENT = "webhook.endpoint_disabled";

/**
 * Every event type an endpoint may subscribe to: the domain's actions and the webhooks' own. Each
 * matches the events table's CHECK `^[a-z_]+\.[a-z_]+$`.
 */
export const WEBHOOK_EVENT_TYPES = [...DOMAIN_ACTIONS, ENDPOINT_DISABLED_EVENT] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
