import type { PreparedRoom, Placement, SystemUnderTest } from '../system-under-test.js';
import { mapLimit } from '../load/map-limit.js';
import { RestSetup } from './rest-setup.js';
import type { SwitchboardNode } from './server-process.js';

/** Switchboard as a system under test: one node, or several sharing PostgreSQL and Redis. */
export class SwitchboardSystem implements SystemUnderTest {
  readonly kind = 'switchboard' as const;
  readonly rest: RestSetup;

  constructor(
    readonly name: string,
    readonly nodes: readonly SwitchboardNode[],
    readonly jwtSecret: string,
    apiKey: string,
    private readonly runId: string,
    readonly durability: string,
  ) {
    this.rest = new RestSetup(nodes[0]!.httpUrl, apiKey);
  }

  get endpoints(): string[] {
    return this.nodes.map((n) => n.wsUrl);
  }

  get pids(): number[] {
    return this.nodes.map((n) => n.pid);
  }

  async prepareRooms(scenario: string, roomCount: number, roomSize: number, placement: Placement = () => 0): Promise<PreparedRoom[]> {
    const rooms = Array.from({ length: roomCount }, (_, r) => ({
      contextId: `${this.runId}-${scenario}-${r}`,
      userIds: Array.from({ length: roomSize }, (_, m) => `${this.runId}-${scenario}-${r}-${m}`),
      endpoints: Array.from({ length: roomSize }, (_, m) => placement(r, m) % this.nodes.length),
    }));
    await this.rest.createUsers(rooms.flatMap((r) => r.userIds));
    const ids = await mapLimit(rooms, 16, (r) => this.rest.ensureConversation('bench', r.contextId, r.userIds));
    return rooms.map((r, i) => ({ key: ids[i]!, userIds: r.userIds, endpoints: r.endpoints }));
  }

  clientIds(scenario: string, count: number): string[] {
    return Array.from({ length: count }, (_, i) => `${this.runId}-${scenario}-${i}`);
  }
}
