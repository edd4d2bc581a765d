import type { HistogramSnapshot } from '../histogram.js';
import type { SystemKind } from './clients/types.js';

/** One client a worker owns. */
export interface ClientPlan {
  /** Switchboard user id; for the peers a unique client name. */
  readonly userId: string;
  /** Index into `WorkerInit.endpoints` (two Switchboard nodes, say). */
  readonly endpoint: number;
}

/** A room whose every member is owned by the same worker, so loss is counted locally. */
export interface RoomPlan {
  /** Conversation id, MQTT topic, NATS subject or Socket.IO room. */
  readonly key: string;
  /** Indices into `WorkerInit.clients`; a member's position is its marker member number. */
  readonly members: readonly number[];
}

export interface WorkerInit {
  readonly kind: SystemKind;
  readonly endpoints: readonly string[];
  /** HS256 secret for minting Switchboard host-app tokens. */
  readonly jwtSecret?: string;
  /** Role claim of the minted tokens (a token for an unknown user provisions it). */
  readonly role?: string;
  readonly clients: readonly ClientPlan[];
  readonly rooms: readonly RoomPlan[];
  /** Sends wait for the system's acknowledgement (durable 1:1); Switchboard always acknowledges. */
  readonly durable: boolean;
  readonly connectConcurrency: number;
  readonly connectTimeoutMs: number;
  /** Unacknowledged sends a client may have outstanding before further sends are held back. */
  readonly maxInFlight: number;
}

export interface StepCommand {
  readonly label: string;
  /** Messages per second each member sends. */
  readonly ratePerSender: number;
  readonly durationMs: number;
  /** Wall-clock ms (bench clock) at which every worker starts sending. */
  readonly startAtMs: number;
  /**
   * After the last send, wait for outstanding deliveries and acknowledgements while they keep
   * coming; give up after `drainQuietMs` without progress or `drainMaxMs` in all.
   */
  readonly drainQuietMs: number;
  readonly drainMaxMs: number;
}

export type WorkerCommand =
  | { readonly cmd: 'init'; readonly init: WorkerInit }
  | { readonly cmd: 'connect'; readonly startAtMs: number }
  | { readonly cmd: 'step'; readonly step: StepCommand }
  | { readonly cmd: 'disconnect' }
  | { readonly cmd: 'exit' };

export interface ConnectResult {
  readonly attempted: number;
  readonly connected: number;
  readonly failed: number;
  /** A few distinct failure reasons. */
  readonly errors: readonly string[];
  /** When the last connection (and its room joins) completed, bench clock. */
  readonly doneAtMs: number;
  /** From the start of each attempt to the welcome (`authenticated`, CONNACK, …). */
  readonly connectLatency: HistogramSnapshot;
}

export interface StepStats {
  readonly sent: number;
  /** Sends not made because the client had `maxInFlight` unacknowledged. */
  readonly held: number;
  readonly acked: number;
  readonly rejected: number;
  readonly unacked: number;
  readonly expected: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Deliveries of messages from an earlier step (late, not duplicates). */
  readonly stale: number;
  /** A sender got its own message back. */
  readonly echoes: number;
  /** Deliveries with no bench marker. */
  readonly unreadable: number;
  readonly latency: HistogramSnapshot;
  readonly ackLatency: HistogramSnapshot;
  readonly firstSendMs: number;
  readonly lastSendMs: number;
  readonly lastDeliveryMs: number;
  /** Worst delay of the send scheduler behind its plan (load-generator saturation). */
  readonly maxSchedulerLagMs: number;
  readonly drained: boolean;
  readonly closed: number;
  readonly closeReasons: readonly string[];
  readonly rejectReasons: Readonly<Record<string, number>>;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

export type WorkerMessage = { readonly id: number; readonly command: WorkerCommand };
