import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { DomainEvent, DomainEventType } from '../bus/domain-event.js';

export type PublishFailureListener = (eventType: DomainEventType) => void;

/**
 * Publishes the events of a change that has already committed, and never fails: the caller's
 * change is durable, so an error here would tell them it was not. The bus is best effort by
 * design (clients heal by syncing from their last seq), so a failed publication is logged with
 * its event type and topic, reported for counting, and swallowed.
 */
export class AfterCommitPublisher {
  private failureListener: PublishFailureListener = () => {};

  constructor(
    private readonly bus: Pick<Bus, 'publish'>,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Resolves once the bus took the event or the failure was logged; never rejects. */
  async publish(topic: string, event: DomainEvent): Promise<void> {
    try {
      await this.bus.publish(topic, event);
    } catch (err) {
      this.logger.warn({ err, eventType: event.type, topic }, 'publishing a committed change failed; clients catch up by syncing');
      try {
        this.failureListener(event.type);
      } catch {
        // A broken counter must not turn a committed change into an error either.
      }
    }
  }

  /** Tells `listener` the type of every event that failed (for a metric); replaces the previous one. */
  onFailure(listener: PublishFailureListener): void {
    this.failureListener = listener;
  }
}
