import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (a registry each, so tests can run several). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'REST request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly messagesSent = new Counter({ name: 'switchboard_messages_total', help: 'Messages committed', registers: [this.registry] });
  readonly jobs = new Counter({ name: 'switchboard_jobs_total', help: 'Outbox job runs by kind and outcome (completed, retried, failed)', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] });
  readonly publishFailures = new Counter({ name: 'switchboard_bus_publish_failures_total', help: 'Events of committed changes the bus did not take, by event type', labelNames: ['type'] as const, registers: [this.registry] });
  readonly notifications = new Counter({ name: 'switchboard_notifications_total', help: 'Escalation steps by channel and outcome (sent, skipped, failed)', labelNames: ['channel', 'outcome'] as const, registers: [this.registry] });
  readonly notificationLatency = new Histogram({
    name: 'switchboard_notification_latency_seconds',
    help: 'From the commit of a batch’s first message to a step’s send, by channel and step',
    labelNames: ['channel', 'step'] as const,
    buckets: [0.5, 1, 5, 15, 30, 60, 180, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly fanoutFailures = new Counter({ name: 'switchboard_fanout_failures_total', help: 'Events a gateway failed to render or deliver, by gateway and event type', labelNames: ['gateway', 'event'] as const, registers: [this.registry] });
  readonly slowConsumers = new Counter({ name: 'switchboard_slow_consumers_total', help: 'Connections closed because their unread output passed MAX_BUFFERED_BYTES', labelNames: ['gateway'] as const, registers: [this.registry] });
  readonly connections = new Gauge({ name: 'switchboard_connections', help: 'Open real-time connections by gateway', labelNames: ['gateway'] as const, registers: [this.registry] });
  readonly connectionRefusals = new Counter({
    name: 'switchboard_connection_refusals_total',
    help: 'Real-time connections turned away before admission, by gateway and reason (origin_not_allowed, too_many_from_address, auth_timeout)',
    labelNames: ['gateway', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
