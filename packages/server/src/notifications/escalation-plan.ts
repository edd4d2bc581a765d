import type { Config } from '../core/config.js';
import type { Conversation } from '../core/model.js';
import type { Policy } from '../policy/policy.js';
import type { EscalationStep, NewJob, Notification, NotificationSettings } from '../storage/store.js';
import { durationMs, sortSteps } from './escalation-steps.js';
import { DIGEST_WINDOW_MS, isEmergency } from './notification-preferences.js';

export const STEP_JOB = 'notifications.step';

/**
 * Which escalation a conversation gets, and when each step is due. The policy file names steps
 * per support queue or conversation type (a case's queue first); `NOTIFICATION_STEPS` covers the
 * rest.
 */
export class EscalationPlan {
  constructor(
    private readonly policy: Policy,
    private readonly config: Pick<Config, 'notificationSteps'>,
  ) {}

  /** The steps for a recipient of `conversation`; in a conversation they muted, only emergencies. */
  stepsFor(conversation: Conversation, queue: string | undefined, muted: boolean): EscalationStep[] {
    const named = this.policy.escalationFor([queue, conversation.type]);
    const steps = named === undefined ? [...this.config.notificationSteps] : sortSteps(named.map((s) => ({ afterMs: durationMs(s.after)!, channel: s.channel, urgency: s.urgency ?? 'normal', until: s.until ?? 'read' })));
    return muted ? steps.filter(isEmergency) : steps;
  }

  /**
   * The job that fires step `index` of a batch, due `afterMs` after its first message (for a
   * digest reader's email, no sooner than the digest window); `undefined` past the last step.
   */
  stepJob(notification: Pick<Notification, 'id' | 'steps' | 'firstMessageAt'>, index: number, settings: Pick<NotificationSettings, 'email'>): NewJob | undefined {
    const step = notification.steps[index];
    if (!step) return undefined;
    const first = Date.parse(notification.firstMessageAt);
    const digest = step.channel === 'email' && settings.email === 'digest' ? DIGEST_WINDOW_MS : 0;
    const due = first + Math.max(step.afterMs, digest);
    return { id: `${notification.id}:step:${index}`, kind: STEP_JOB, subjectId: notification.id, payload: { step: index }, runAt: new Date(due).toISOString() };
  }
}
