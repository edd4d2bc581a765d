import { spawn } from 'node:child_process';
import { connect as natsConnect, RetentionPolicy, StorageType, DiscardPolicy } from 'nats';
import { registerChild, stopChild } from '../child-registry.js';
import type { SystemKind } from '../load/clients/types.js';
import { isReachable } from '../net-util.js';
import { benchProcess } from '../package-paths.js';
import { findPidsByName } from '../proc-find.js';
import type { PreparedRoom, SystemUnderTest } from '../system-under-test.js';

const RELAY = benchProcess('peers/socketio-relay');

/** A peer that could not be used, and why. */
export interface SkippedPeer {
  readonly name: string;
  readonly reason: string;
}

abstract class PeerSystem implements SystemUnderTest {
  abstract readonly name: string;
  abstract readonly kind: SystemKind;
  abstract readonly durability: string;
  abstract readonly endpoints: readonly string[];
  abstract readonly pids: readonly number[];

  constructor(protected readonly runId: string) {}

  protected abstract roomKey(scenario: string, room: number): string;

  async prepareRooms(scenario: string, roomCount: number, roomSize: number): Promise<PreparedRoom[]> {
    return Array.from({ length: roomCount }, (_, r) => ({
      key: this.roomKey(scenario, r),
      userIds: Array.from({ length: roomSize }, (_, m) => `${this.runId}-${this.kind}-${scenario}-${r}-${m}`),
      endpoints: Array.from({ length: roomSize }, () => 0),
    }));
  }

  clientIds(scenario: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => `${this.runId}-${this.kind}-${scenario}-${i}`);
  }
}

/** Mosquitto on 127.0.0.1:1883 (sampled by pid, never signalled). */
export class MosquittoPeer extends PeerSystem {
  readonly name = 'mosquitto';
  readonly kind = 'mqtt' as const;
  readonly durability = 'QoS 1 PUBACK from broker memory (persisted only at autosave)';
  readonly endpoints = ['mqtt://127.0.0.1:1883'];

  private constructor(
    runId: string,
    readonly pids: readonly number[],
  ) {
    super(runId);
  }

  static async find(runId: string): Promise<MosquittoPeer | SkippedPeer> {
    if (!(await isReachable(1883))) return { name: 'mosquitto', reason: 'nothing listens on 127.0.0.1:1883' };
    const pids = findPidsByName('mosquitto');
    if (pids.length === 0) return { name: 'mosquitto', reason: '127.0.0.1:1883 answers but no mosquitto process is visible in /proc to sample' };
    return new MosquittoPeer(runId, pids);
  }

  protected roomKey(scenario: string, room: number): string {
    return `sbbench/${this.runId}/${scenario}/${room}`;
  }
}

/** NATS on 127.0.0.1:4222; durable sends go through a JetStream file stream the bench creates and deletes. */
export class NatsPeer extends PeerSystem {
  readonly name = 'nats';
  readonly kind = 'nats' as const;
  readonly durability = 'JetStream file-stream PubAck (fsync on sync_interval, not per message)';
  readonly endpoints = ['127.0.0.1:4222'];
  private stream: string | undefined;

  private constructor(
    runId: string,
    readonly pids: readonly number[],
  ) {
    super(runId);
  }

  static async find(runId: string): Promise<NatsPeer | SkippedPeer> {
    if (!(await isReachable(4222))) return { name: 'nats', reason: 'nothing listens on 127.0.0.1:4222' };
    const pids = findPidsByName('nats-server');
    if (pids.length === 0) return { name: 'nats', reason: '127.0.0.1:4222 answers but no nats-server process is visible in /proc to sample' };
    return new NatsPeer(runId, pids);
  }

  protected roomKey(scenario: string, room: number): string {
    return `sbbench.${this.runId}.${scenario}.${room}`;
  }

  async beforeDurable(scenario: string): Promise<void> {
    const nc = await natsConnect({ servers: this.endpoints[0], reconnect: false });
    try {
      const jsm = await nc.jetstreamManager();
      this.stream = `SBBENCH_${this.runId}_${scenario.replace(/[^A-Za-z0-9]/g, '_')}`.toUpperCase();
      await jsm.streams.add({
        name: this.stream,
        subjects: [`sbbench.${this.runId}.${scenario}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        max_bytes: 512 * 1024 * 1024,
        num_replicas: 1,
      });
    } finally {
      await nc.close();
    }
  }

  async afterDurable(): Promise<void> {
    if (!this.stream) return;
    const nc = await natsConnect({ servers: this.endpoints[0], reconnect: false });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(this.stream);
    } finally {
      this.stream = undefined;
      await nc.close();
    }
  }
}

/** The plain Socket.IO relay (bench/peers/socketio-relay.ts) in a child process the bench owns. */
export class SocketIoRelayPeer extends PeerSystem {
  readonly name = 'socket.io';
  readonly kind = 'socketio' as const;
  readonly durability = 'ack from relay memory (no persistence)';

  private constructor(
    runId: string,
    private readonly port: number,
    private readonly child: ReturnType<typeof spawn>,
  ) {
    super(runId);
  }

  get endpoints(): string[] {
    return [`http://127.0.0.1:${this.port}`];
  }

  get pids(): number[] {
    return this.child.pid === undefined ? [] : [this.child.pid];
  }

  static async start(runId: string): Promise<SocketIoRelayPeer | SkippedPeer> {
    const child = registerChild(spawn(process.execPath, [...RELAY.execArgv, RELAY.entry], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0' } }));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`relay did not start in 20 s: ${output}`)), 20_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /\{"port":(\d+)\}/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`relay exited (${code}): ${output}`));
        });
      });
      return new SocketIoRelayPeer(runId, port, child);
    } catch (error) {
      await stopChild(child);
      return { name: 'socket.io', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  protected roomKey(scenario: string, room: number): string {
    return `${scenario}/${room}`;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

export function isSkipped(value: SystemUnderTest | SkippedPeer): value is SkippedPeer {
  return 'reason' in value && !('kind' in value);
}
