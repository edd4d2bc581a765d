/**
 * A load-generator process (started with child_process.fork by the coordinator). It owns a slice
 * of the clients, whole rooms at a time, and answers the coordinator's commands over IPC.
 */
import { ClientFleet } from './load/client-fleet.js';
import type { WorkerMessage, WorkerReply } from './load/worker-protocol.js';

let fleet: ClientFleet | undefined;

function reply(message: WorkerReply): void {
  process.send?.(message);
}

async function handle({ id, command }: WorkerMessage): Promise<void> {
  try {
    let result: unknown = null;
    switch (command.cmd) {
      case 'init':
        await fleet?.disconnect();
        fleet = new ClientFleet(command.init);
        await fleet.prepare();
        break;
      case 'connect':
        result = await requireFleet().connect(command.startAtMs);
        break;
      case 'step':
        result = await requireFleet().step(command.step);
        break;
      case 'disconnect':
        await fleet?.disconnect();
        fleet = undefined;
        break;
      case 'exit':
        await fleet?.disconnect();
        reply({ id, ok: true, result: null });
        setImmediate(() => process.exit(0));
        return;
    }
    reply({ id, ok: true, result });
  } catch (error) {
    reply({ id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
}

function requireFleet(): ClientFleet {
  if (!fleet) throw new Error('worker has no clients: send init first');
  return fleet;
}

process.on('message', (message: WorkerMessage) => void handle(message));
// The coordinator going away ends the worker.
process.on('disconnect', () => process.exit(0));
process.send?.({ id: -1, ok: true, result: 'ready' } satisfies WorkerReply);
