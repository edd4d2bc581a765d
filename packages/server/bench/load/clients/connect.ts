import { MqttBenchClient } from './mqtt-client.js';
import { NatsBenchClient } from './nats-client.js';
import { SocketIoBenchClient } from './socketio-client.js';
import { SwitchboardClient } from './switchboard-client.js';
import type { BenchClient, ClientEvents, ConnectOptions, SystemKind } from './types.js';

/** Connects one client of the given system; `durable` picks the acknowledged send path of the peers. */
export function connectClient(kind: SystemKind, options: ConnectOptions, events: ClientEvents, durable: boolean): Promise<BenchClient> {
  switch (kind) {
    case 'switchboard':
      return SwitchboardClient.connect(options, events);
    case 'mqtt':
      return MqttBenchClient.connect(options, events, durable ? 1 : 0);
    case 'nats':
      return NatsBenchClient.connect(options, events);
    case 'socketio':
      return SocketIoBenchClient.connect(options, events);
  }
}
