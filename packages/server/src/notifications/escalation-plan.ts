import type { Config } from '../core/config.js';
import type { Conversation } from '../core/model.js';
import type { Policy } from '../policy/policy.js';
import type { EscalationStep, NewJob, Notification, NotificationSettings } from '../storage/store.js';
import { durationMs, sortSteps } from './escalation-steps.js';
import { DIGEST_WINDOW_MS, isEmergency } from './notification-preferences.js';

export const STEP_JOB = 'notifications.step';

/** The shortest and longest wait of the scheduler for more messages (see `scheduleWindowMs`). */
export const SCHEDULE_WINDOW_MS = { min: 250, max: 5_000 } as const;

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

  private readonly windows = new Map<string, number>();

  /**
   * How long the scheduler of a conversation of this type waits for more messages before it
   * runs: a quarter of its earliest step's delay, so the step's job is written well before it
   * is due (an emergency's 0 s: the minimum, the only step ever sent that much late), and at most
   * the maximum, so a busy room costs one run per window and a feed entry is at most that late.
   * A support conversation takes the earliest step of any queue (its queue is not known yet).
   */
  scheduleWindowMs(conversation: Pick<Conversation, 'type'>): number {
    let window = this.windows.get(conversation.type);
    if (window === undefined) {
      const ofType = this.stepsNamed([conversation.type]).map((step) => step.afterMs);
      const ofQueues = conversation.type === 'support' ? this.policy.allEscalations().flat().map((rule) => durationMs(rule.after)!) : [];
      const earliest = Math.min(...ofType, ...ofQueues);
      window = Math.min(SCHEDULE_WINDOW_MS.max, Math.max(SCHEDULE_WINDOW_MS.min, Math.floor(earliest / 4)));
      this.windows.set(conversation.type, window);
    }
    return window;
  }

  /** The steps for a recipient of `conversation`; in a conversation they muted, only emergencies. */
  stepsFor(conversation: Conversation, queue: string | undefined, muted: boolean): EscalationStep[] {
    const steps = this.stepsNamed([queue, conversation.type]);
    return muted ? steps.filter(isEmergency) : steps;
  }

  /** The steps the policy names for the first of `names` it knows, or `NOTIFICATION_STEPS`. */
  private stepsNamed(names: readonly (string | undefined)[]): EscalationStep[] {
    const named = this.policy.escalationFor(names);
    return named === undefined ? [...this.config.notificationSteps] : sortSteps(named.map((s) => ({ afterMs: durationMs(s.after)!, channel: s.channel, urgency: s.urgency ?? 'normal', until: s.until ?? 'read' })));
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
