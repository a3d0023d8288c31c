import type { ErrorCode } from "../errors";

/**
 * English problem titles and details. The other languages must translate every key: their type is
 * `Messages`, derived from this file. `{name}` placeholders are filled from `ApiError` params.
 */
export const en = {
  titles: {
    BAD_REQUEST: "Bad request",
    VALIDATION_FAILED: "Validation failed",
    MALFORMED_JSON: "Malformed JSON",
    INVALID_TOKEN: "Invalid or expired link",
    UNAUTHORIZED: "Unauthorized",
    FORBIDDEN: "Forbidden",
    INVALID_CURRENT_PASSWORD: "Wrong current password",
    NOT_FOUND: "Not found",
    METHOD_NOT_ALLOWED: "Method not allowed",
    CONFLICT: "Conflict",
    PAYLOAD_TOO_LARGE: "Payload too large",
    UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
    RATE_LIMITED: "Too many requests",
    INTERNAL_ERROR: "Internal server error",
    CONFIGURATION_ERROR: "Configuration error",
    SERVICE_UNAVAILABLE: "Service unavailable",
    PRECONDITION_FAILED: "Precondition failed",
    PRECONDITION_REQUIRED: "Precondition required",
    IDEMPOTENCY_KEY_REUSED: "Idempotency key reused",
    IDEMPOTENCY_KEY_IN_USE: "Idempotency key in use",
    QUOTA_EXCEEDED: "Quota exceeded",
    BAD_GATEWAY: "Bad gateway",
    WEBHOOK_SIGNATURE_INVALID: "Invalid webhook signature",
    WEBHOOK_MALFORMED: "Malformed webhook",
    UPGRADE_REQUIRED: "Upgrade required",
  } satisfies Record<ErrorCode, string>,
  details: {
    // One default per code, without placeholders, so any `new ApiError(code)` reads well.
    BAD_REQUEST: "The request could not be understood.",
    VALIDATION_FAILED: "One or more fields of the request are invalid; see errors.",
    MALFORMED_JSON: "The request body is not valid JSON.",
    INVALID_TOKEN: "This link is invalid, has expired or was already used; request a new one.",
    UNAUTHORIZED: "Authentication is required to access this resource.",
    FORBIDDEN: "You do not have permission to perform this action.",
    INVALID_CURRENT_PASSWORD: "The current password is wrong.",
    NOT_FOUND: "The requested resource does not exist.",
    METHOD_NOT_ALLOWED: "This method is not allowed for the requested resource.",
    CONFLICT: "The request conflicts with the current state of the resource.",
    PAYLOAD_TOO_LARGE: "The request body is too large.",
    UNSUPPORTED_MEDIA_TYPE: "The request body must be JSON, sent with Content-Type application/json.",
    RATE_LIMITED: "Too many requests; slow down and retry later.",
    INTERNAL_ERROR: "An unexpected error occurred. Quote the request id when reporting it.",
    CONFIGURATION_ERROR: "The server is not configured correctly.",
    SERVICE_UNAVAILABLE: "The service is temporarily unavailable; retry later.",
    PRECONDITION_FAILED: "The resource has changed since you read it; fetch it again and retry with its new ETag.",
    PRECONDITION_REQUIRED: "This request must carry If-Match with the resource's ETag.",
    IDEMPOTENCY_KEY_REUSED: "This Idempotency-Key was already used with a different request body.",
    IDEMPOTENCY_KEY_IN_USE: "A request with this Idempotency-Key is still being processed; retry shortly.",
    QUOTA_EXCEEDED: "The workspace has used up its storage quota.",
    BAD_GATEWAY: "An upstream service did not answer as expected; retry later.",
    UPGRADE_REQUIRED: "This endpoint opens a WebSocket: send a WebSocket upgrade request.",
    // Details with placeholders.
    methodNotAllowed: "{method} is not allowed here. Allowed methods: {allowed}.",
    payloadTooLarge: "The request body exceeds the limit of {limit} bytes.",
    rateLimited: "Too many requests; retry after {seconds} seconds.",
    configurationInvalid: "The server configuration is missing or has invalid settings: {settings}.",
    notReady: "The service is not ready; retry later.",
    crossSiteRequest: "Requests that change data are not accepted from this site.",
    invalidCredentials: "The e-mail address or the password is wrong.",
    ipDenied: "Requests from your network address are not accepted.",
    ipRuleLimit: "There are already {limit} IP rules; delete some before adding more.",
    ipRuleLocksOutCaller: "This change would refuse requests from your own address; it was not made.",
    // Workspaces, roles and members.
    missingPermission: "This needs the {permission} permission in this workspace.",
    // Invitations.
    invitationOwnerRole: "Only owners can invite someone as an owner.",
    invitationRoleTooHigh: "You cannot invite someone to a role with permissions you do not have.",
    invitationAlreadyMember: "This address belongs to a member of this workspace already.",
    invitationPending: "This address has a pending invitation already; resend it instead.",
    invitationLimit: "This workspace has {limit} pending invitations; revoke some before inviting more.",
    memberLimit: "This workspace has {limit} members and pending invitations together, the most allowed.",
    invitationSendLimit: "This invitation was sent {limit} times, the most allowed.",
    invitationResentRecently: "This invitation was sent moments ago; retry after {seconds} seconds.",
    invitationInvalid: "This invitation is invalid, has expired or was already used; ask for a new one.",
    invitationEmailMismatch: "This invitation is for another e-mail address; sign in with the account of that address.",
    invitationEmailNotVerified: "Confirm your e-mail address before accepting this invitation.",
    // API keys.
    apiKeyLimit: "This workspace already has {limit} active API keys; revoke some before creating more.",
    apiKeyScopeNotHeld: "A key cannot be given the {permission} permission, which you do not hold in this workspace.",
    apiKeyNotLive: "This API key is revoked or expired; create a new one instead.",
    // Workspace lifecycle, membership rules and custom roles.
    workspaceLimit: "You already own {limit} workspaces; delete one before creating or restoring another.",
    slugTaken: "The slug {slug} is taken by another workspace.",
    slugTakenOnRestore: "Another workspace took this workspace's slug after it was deleted; it cannot be restored while that one has it.",
    ownRoleChange: "You cannot change your own role; another owner or admin can.",
    removeSelf: "You cannot remove yourself; leave the workspace instead.",
    ownerOnly: "Only an owner can grant the owner role, or change or remove an owner.",
    memberOutranks: "This member holds permissions you do not: {permissions}.",
    permissionsNotHeld: "You cannot grant permissions you do not hold: {permissions}.",
    customRoleNotFound: "This workspace has no such role.",
    lastOwner: "A workspace needs an owner: make another member an owner first.",
    roleLimit: "This workspace already has {limit} roles; delete one before adding another.",
    roleNameTaken: "This workspace already has a role named {name}.",
    roleInUse: "Members or pending invitations hold this role; give them another one first.",
    roleOutranks: "This role holds permissions you do not: {permissions}.",
    // Sign in with Google and GitHub.
    oauthProviderOff: "Signing in with {provider} is not available here.",
    oauthProviderUnavailable: "{provider} did not answer as expected; start signing in again in a moment.",
    oauthStateInvalid: "This sign-in is invalid, has expired or was already completed; start signing in again.",
    oauthCodeInvalid: "This sign-in code is invalid, has expired or was already used; sign in again.",
    identityLastSignIn: "This is the only way left to sign in to this account; set a password or link another provider first.",
    // Projects and tasks.
    projectKeyTaken: "This workspace already has a project with the key {key} (deleted projects keep theirs).",
    projectLimit: "This workspace already has {limit} projects; delete one before adding another.",
    projectArchived: "This project is archived; unarchive it before adding tasks to it.",
    projectDeleted: "This task's project is deleted; restore the project first.",
    taskLimit: "This project has had {limit} tasks, the most one project may have.",
    versionMismatch: "This {resource} changed since you read it (If-Match); read it again and retry.",
    // Comments and attachments.
    commentLimit: "This task already has {limit} comments; delete some before adding more.",
    commentAuthorOnly: "Only the comment's author can edit it.",
    commentAuthorOrModerator: "Only the comment's author, or an owner or admin of the workspace, can delete or restore it.",
    attachmentTooLarge: "A file may be at most {limit} bytes.",
    attachmentQuota: "This file would take the workspace past its storage quota of {limit} bytes; delete some attachments first.",
    attachmentType: "The file must be one of {types}, sent with that Content-Type, and its contents must be of that type.",
    attachmentLength: "The body was not the length Content-Length stated.",
    attachmentLink: "This download link is invalid or has expired; ask for a new one.",
    // Idempotency-Key.
    idempotencyKeyInvalid: "Idempotency-Key must be 1 to 255 printable ASCII characters.",
    idempotencyKeyBody: "Idempotency-Key is honoured only for requests with a JSON body or none.",
    // Inbound webhooks.
    WEBHOOK_SIGNATURE_INVALID: "The webhook's signature is missing or invalid, or its timestamp is too old or too new.",
    WEBHOOK_MALFORMED: "The webhook's headers or body are not in the form its source's scheme requires.",
    webhookSourceLimit: "This workspace already has {limit} webhook sources; delete one before adding another.",
    // Outbound webhooks.
    webhookEndpointLimit: "This workspace already has {limit} webhook endpoints; delete one before adding another.",
    webhookEndpointDisabled: "This webhook endpoint is disabled; enable it before retrying its deliveries.",
    webhookDeliveryAttempts: "This delivery already had {limit} attempts, the most one delivery may have.",
    // Attachment restore (issue 12).
    attachmentUploaderOrModerator: "Only the person who uploaded the file, or an owner or admin of the workspace, can restore it.",
    // Real-time notifications.
    realtimeOrigin: "This page's origin may not open real-time connections.",
    realtimeTicket: "This ticket is invalid, has expired or was already used; ask for a new one (POST /v1/realtime/ticket).",
  } satisfies Record<ErrorCode, string> & Record<string, string>,
};

export type DetailKey = keyof typeof en.details;

/** The shape every language file fills in. */
export interface Messages {
  titles: Record<ErrorCode, string>;
  details: Record<DetailKey, string>;
}
