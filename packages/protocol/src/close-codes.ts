/**
 * WebSocket close codes the gateways use, documented in docs/websocket-protocol.md. 4000-4999
 * are application codes; a client should resync after any of them except 4001 and 4003.
 */
export const CLOSE_CODES = {
  /** The token is missing, invalid, expired or revoked. Log in again; do not retry as is. */
  authFailed: 4001,
  /** Not allowed in this room (per-room gateways). */
  forbidden: 4003,
  /** The client read too slowly and its outgoing buffer filled; reconnect and sync. */
  slowConsumer: 4008,
  /** The client sent far more requests than it waited answers for; reconnect and sync. */
  flooding: 1008,
  /** The user already holds the maximum number of connections. */
  tooManyConnections: 4013,
  /** The store is briefly unavailable; reconnect after a short wait, keeping the token. */
  tryAgainLater: 1013,
  /** The server is shutting down; reconnect (to another node) and sync. */
  goingAway: 1001,
} as const;
