import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { peerPayload } from '../payload.js';
import type { BenchClient, ClientEvents, ConnectOptions } from './types.js';

const encoder = new TextEncoder();

/**
 * NATS core: one subject per room, `noEcho` so a sender does not get its own messages. With
 * `wantAck` messages are published through JetStream (a file-backed stream the bench creates
 * over the subjects), whose PubAck is the acknowledgement; subscribers still get them live.
 */
export class NatsBenchClient implements BenchClient {
  private closing = false;
  private js: JetStreamClient | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly events: ClientEvents,
  ) {
    void nc.closed().then((error) => {
      if (!this.closing) events.closed(`nats closed${error ? `: ${error.message}` : ''}`);
    });
  }

  static async connect(options: ConnectOptions, events: ClientEvents): Promise<NatsBenchClient> {
    const nc = await connect({ servers: options.endpoint, name: options.name, noEcho: true, reconnect: false, timeout: options.timeoutMs, pingInterval: 60_000 });
    return new NatsBenchClient(nc, events);
  }

  async join(room: string): Promise<void> {
    this.nc.subscribe(room, { callback: (error, msg) => !error && this.events.delivery(msg.data) });
    await this.nc.flush();
  }

  send(room: string, member: number, n: number, sentAtMs: number, wantAck: boolean): void {
    const data = encoder.encode(peerPayload(member, n, sentAtMs));
    if (!wantAck) {
      this.nc.publish(room, data);
      return;
    }
    this.js ??= this.nc.jetstream();
    this.js.publish(room, data).then(
      () => this.events.ack(n, true),
      (error: Error) => this.events.ack(n, false, error.message),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.race([this.nc.close(), new Promise((r) => setTimeout(r, 3000))]);
  }
}
