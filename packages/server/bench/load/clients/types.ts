/** The systems the load generator can drive. */
export type SystemKind = 'switchboard' | 'mqtt' | 'nats' | 'socketio';

/** What a client tells its owner. */
export interface ClientEvents {
  /** A room message arrived (raw frame or payload; the marker is decoded by the owner). */
  delivery(data: Uint8Array | string): void;
  /** The system acknowledged (or refused) the message numbered `n`. */
  ack(n: number, ok: boolean, reason?: string): void;
  /** The connection ended without being asked to. */
  closed(reason: string): void;
}

/** One connected client of any system. */
export interface BenchClient {
  /** Subscribes to a room: a Switchboard conversation, an MQTT topic, a NATS subject, a Socket.IO room. */
  join(room: string): Promise<void>;
  /**
   * Sends message `n` of this sender to the room, carrying the marker. With `wantAck` the
   * system's acknowledgement is reported through `ClientEvents.ack`.
   */
  send(room: string, member: number, n: number, sentAtMs: number, wantAck: boolean): void;
  close(): Promise<void>;
}

export interface ConnectOptions {
  readonly endpoint: string;
  /** A stable unique name (MQTT client id, NATS connection name). */
  readonly name: string;
  /** Switchboard only: the bearer token. */
  readonly token?: string;
  readonly timeoutMs: number;
}

export type Connector = (options: ConnectOptions, events: ClientEvents) => Promise<BenchClient>;
