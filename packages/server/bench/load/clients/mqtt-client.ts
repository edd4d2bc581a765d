import mqtt, { type MqttClient } from 'mqtt';
import { peerPayload } from '../payload.js';
import type { BenchClient, ClientEvents, ConnectOptions } from './types.js';

/**
 * MQTT 5 against Mosquitto: one topic per room, subscribed with No Local so a sender does not
 * get its own messages back (as Switchboard and the others behave). QoS 0 for fan-out; with
 * `wantAck` QoS 1, whose PUBACK is the acknowledgement.
 */
export class MqttBenchClient implements BenchClient {
  private closing = false;

  private constructor(
    private readonly client: MqttClient,
    private readonly events: ClientEvents,
    private readonly qos: 0 | 1,
  ) {
    client.on('message', (_topic, payload) => events.delivery(payload));
    client.on('close', () => {
      if (!this.closing) events.closed('mqtt connection closed');
    });
    client.on('error', () => {});
  }

  static connect(options: ConnectOptions, events: ClientEvents, qos: 0 | 1): Promise<MqttBenchClient> {
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(options.endpoint, {
        protocolVersion: 5,
        clientId: options.name,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: options.timeoutMs,
        keepalive: 60,
      });
      const fail = (error: Error) => {
        client.removeAllListeners();
        client.end(true);
        reject(error);
      };
      client.once('error', fail);
      client.once('close', () => fail(new Error('closed before connack')));
      client.once('connect', () => {
        client.removeAllListeners('error');
        client.removeAllListeners('close');
        resolve(new MqttBenchClient(client, events, qos));
      });
    });
  }

  async join(room: string): Promise<void> {
    await this.client.subscribeAsync(room, { qos: this.qos, nl: true });
  }

  send(room: string, member: number, n: number, sentAtMs: number, wantAck: boolean): void {
    const payload = peerPayload(member, n, sentAtMs);
    if (wantAck) {
      this.client.publish(room, payload, { qos: 1 }, (error) => this.events.ack(n, !error, error?.message));
    } else {
      this.client.publish(room, payload, { qos: 0 });
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.race([this.client.endAsync(), new Promise((r) => setTimeout(r, 3000))]);
  }
}
