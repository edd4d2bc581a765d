/**
 * The one registry of error codes. Every failure a client can see is one of these; gateways map
 * a code to their own shape (HTTP body and status, WebSocket frame, Socket.IO `error`, close code).
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON', retryable: false },
  invalid_encoding: { status: 400, message: 'The request body is not valid UTF-8', retryable: false },
  bad_request: { status: 400, message: 'The request is malformed', retryable: false },
  unauthenticated: { status: 401, message: 'Authentication is required', retryable: false },
  invalid_token: { status: 401, message: 'The token is invalid, expired or revoked', retryable: false },
  invalid_credentials: { status: 401, message: 'Incorrect email or password', retryable: false },
  forbidden: { status: 403, message: 'You are not allowed to do this', retryable: false },
  invalid_signature: { status: 403, message: 'The link is invalid or has expired', retryable: false },
  banned: { status: 403, message: 'You are banned from sending messages here', retryable: false },
  muted: { status: 403, message: 'You are muted in this conversation', retryable: false },
  user_blocked: { status: 403, message: 'This person does not accept messages from you', retryable: false },
  not_participant: { status: 403, message: 'You are not a participant of this conversation', retryable: false },
  user_disabled: { status: 401, message: 'This account is disabled', retryable: false },
  not_found: { status: 404, message: 'The resource does not exist', retryable: false },
  conversation_not_found: { status: 404, message: 'Conversation not found', retryable: false },
  message_not_found: { status: 404, message: 'Message not found', retryable: false },
  upload_not_found: { status: 404, message: 'Upload not found', retryable: false },
  user_not_found: { status: 404, message: 'User not found', retryable: false },
  route_not_found: { status: 404, message: 'No such route', retryable: false },
  conflict: { status: 409, message: 'The resource already exists', retryable: false },
  context_taken: { status: 409, message: 'A conversation already exists for this context', retryable: false },
  email_taken: { status: 409, message: 'A user with this email already exists', retryable: false },
  conversation_closed: { status: 409, message: 'The conversation is closed', retryable: false },
  case_already_accepted: { status: 409, message: 'Chat already accepted', retryable: false },
  invalid_transition: { status: 409, message: 'The case cannot move to that status from its current one', retryable: false },
  already_rated: { status: 409, message: 'This case has already been rated', retryable: false },
  no_staff_available: { status: 409, message: 'No support staff available', retryable: false },
  // 409 with a retry: the file exists but is not in a state to be served yet (its scan is running).
  file_pending: { status: 409, message: 'The file is still being scanned for viruses; retry shortly', retryable: true },
  // 410 rather than 403: no credential opens it, and it will not come back.
  file_infected: { status: 410, message: 'The file contains malware and has been quarantined', retryable: false },
  file_scan_failed: { status: 410, message: 'The file could not be scanned for viruses and will not be served', retryable: false },
  payload_too_large: { status: 413, message: 'The request body is too large', retryable: false },
  file_too_large: { status: 413, message: 'A file is larger than the upload limit', retryable: false },
  too_many_files: { status: 413, message: 'Too many files in one upload', retryable: false },
  unsupported_media_type: { status: 415, message: 'Unsupported content type', retryable: false },
  unsupported_file_type: { status: 415, message: 'This type of file is not accepted', retryable: false },
  empty_file: { status: 422, message: 'The file is empty', retryable: false },
  blocked_content: { status: 422, message: 'The message contains a term this service does not allow', retryable: false },
  // The operator's pre-send hook (PRE_SEND_HOOK_URL) refused the message; the detail is its reason.
  rejected_by_hook: { status: 422, message: 'The message was rejected', retryable: false },
  validation_failed: { status: 422, message: 'The request does not match the schema', retryable: false },
  rate_limited: { status: 429, message: 'Too many requests', retryable: true },
  // Retryable after `retry_after` seconds, like `rate_limited`, but per conversation and set by its moderators.
  slow_mode: { status: 429, message: 'Slow mode is on: wait before sending again', retryable: true },
  internal: { status: 500, message: 'Internal server error', retryable: true },
  store_unavailable: { status: 503, message: 'The store is unavailable, retry shortly', retryable: true },
  // The host app's access check (HOST_ACCESS_URL) did not answer in time or answered nonsense.
  host_unavailable: { status: 503, message: 'The host app could not be asked who may enter; retry shortly', retryable: true },
  // The pre-send hook did not answer and PRE_SEND_HOOK_FAILURE=closed: nothing was sent.
  hook_unavailable: { status: 503, message: 'The message could not be vetted; retry shortly', retryable: true },
} as const satisfies Record<string, { status: number; message: string; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;
