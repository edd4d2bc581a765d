import type { SystemKind } from './load/clients/types.js';

/** A room ready for clients: its key and its members' ids and endpoints. */
export interface PreparedRoom {
  /** Conversation id, MQTT topic, NATS subject or Socket.IO room. */
  readonly key: string;
  readonly userIds: readonly string[];
  /** Per member, the index of the endpoint (node) it connects to. */
  readonly endpoints: readonly number[];
}

/** Which node a room member connects to (two-node runs). */
export type Placement = (room: number, member: number) => number;

/** Switchboard or a peer, as the scenarios see it. */
export interface SystemUnderTest {
  readonly name: string;
  readonly kind: SystemKind;
  readonly endpoints: readonly string[];
  /** Processes whose CPU and RSS are the system's cost. */
  readonly pids: readonly number[];
  /** Secret for host-app tokens (Switchboard). */
  readonly jwtSecret?: string;
  /** How an acknowledged one-to-one send is made durable. */
  readonly durability: string;
  prepareRooms(scenario: string, roomCount: number, roomSize: number, placement?: Placement): Promise<PreparedRoom[]>;
  /** Ids for loose clients (idle connections, storms). */
  clientIds(scenario: string, count: number): string[];
  /** Set-up before acknowledged (durable) sends, e.g. a JetStream stream. */
  beforeDurable?(scenario: string): Promise<void>;
  afterDurable?(): Promise<void>;
}
