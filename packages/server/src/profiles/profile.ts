import type { Server } from 'node:http';
import type { UpgradeRouter } from '../gateways/upgrade-router.js';
import type { Metrics } from '../ops/metrics.js';
import type { RoutePlugin } from '../rest/route-kit.js';
import type { EdgeServices } from '../edge-services.js';

/** What a profile's real-time gateways are built from. */
export interface GatewayContext {
  readonly services: EdgeServices;
  readonly server: Server;
  readonly upgrades: UpgradeRouter;
  readonly metrics: Metrics;
}

/** A real-time gateway as the app sees it: something to tell to close at shutdown. */
export interface RealtimeGateway {
  /** Tells every connection to go (clients reconnect elsewhere and sync). */
  close(): Promise<void>;
}

/**
 * A wire-compatible surface of a system Switchboard replaces: its REST routes (with their error
 * shape) and its real-time gateways, in one module. The app registers every profile of the
 * registry (`profiles/index.ts`) the same way; deleting a profile's folder and its registry
 * line removes it and nothing else.
 */
export interface Profile {
  readonly name: string;
  /** Routes, registered in their own Fastify scope (so their error shape stays theirs). */
  readonly routes?: RoutePlugin;
  readonly gateways?: (context: GatewayContext) => readonly RealtimeGateway[];
}
