import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { parseStepList } from '../../src/notifications/escalation-steps.js';
import { inQuietHours, stepBlockedBy, DEFAULT_SETTINGS } from '../../src/notifications/notification-preferences.js';
import { loadPolicy } from '../../src/policy/policy.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { EscalationPlan } from '../../src/notifications/escalation-plan.js';
import type { Conversation } from '../../src/core/model.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-notify-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { DATA_DIR: dir, JWT_SECRET: 'x'.repeat(40) };
const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('NOTIFICATION_STEPS', () => {
  it('reads delays, channels and flags, in the order of their delays', () => {
    expect(parseStepList('3m:email, 0s:push:high:delivered,500ms:sms_webhook')).toEqual([
      { afterMs: 0, channel: 'push', urgency: 'high', until: 'delivered' },
      { afterMs: 500, channel: 'sms_webhook', urgency: 'normal', until: 'read' },
      { afterMs: 180_000, channel: 'email', urgency: 'normal', until: 'read' },
    ]);
    expect(parseStepList('none')).toEqual([]);
  });

  it('refuses at boot, with every problem listed, what would fail on the first send', () => {
    const problems = problemsOf({ NOTIFICATION_STEPS: '10:push', VAPID_PUBLIC_KEY: 'abc', SMTP_URL: 'smtp://127.0.0.1:25', ESCALATION_WEBHOOK_URL: 'https://host.example/sms', ESCALATION_WEBHOOK_SECRET: 'plain', VAPID_SUBJECT: 'http://x' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'NOTIFICATION_STEPS: "10:push": the delay must be like 0s, 500ms, 10s, 3m or 1h',
        'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither (neither: a pair is generated into DATA_DIR)',
        'VAPID_SUBJECT: expected a mailto: address or an https: URL',
        'EMAIL_FROM: required with SMTP_URL (the sender of notification emails)',
        'ESCALATION_WEBHOOK_SECRET: required with ESCALATION_WEBHOOK_URL, a whsec_ secret (whsec_ and the base64 of at least 16 random bytes); the host verifies each call with it',
      ]),
    );
    expect(problemsOf({ NOTIFICATION_STEPS: '1s:fax' })).toEqual(['NOTIFICATION_STEPS: "1s:fax": the channel must be one of push, email, sms_webhook']);
    expect(problemsOf({ SMTP_URL: 'https://mail.example' })).toEqual(['SMTP_URL: expected a smtp: or smtps: URL, got "https:"']);
  });
});

describe('the escalation policy', () => {
  const conversation = (type: string) => ({ type }) as Conversation;

  it('takes a case’s queue before its type, and NOTIFICATION_STEPS for what the file does not name', () => {
    const plan = new EscalationPlan(loadPolicy(undefined), loadConfig({ ...base, NOTIFICATION_STEPS: '1m:email' }));
    expect(plan.stepsFor(conversation('support'), 'emergency_support', false).map((s) => [s.afterMs, s.channel, s.urgency, s.until])).toEqual([
      [0, 'push', 'high', 'delivered'],
      [60_000, 'sms_webhook', 'high', 'delivered'],
    ]);
    expect(plan.stepsFor(conversation('support'), 'desk_support', false).map((s) => s.channel)).toEqual(['push', 'email']);
    expect(plan.stepsFor(conversation('general'), undefined, false)).toEqual([{ afterMs: 60_000, channel: 'email', urgency: 'normal', until: 'read' }]);
    // Muted: emergencies only.
    expect(plan.stepsFor(conversation('support'), 'desk_support', true)).toEqual([]);
    expect(plan.stepsFor(conversation('support'), 'emergency_support', true)).toHaveLength(2);
  });

  it('waits for more messages a quarter of the earliest step’s delay, between 250 ms and 5 s', () => {
    const plan = new EscalationPlan(loadPolicy(undefined), loadConfig({ ...base, NOTIFICATION_STEPS: '4s:push,1m:email' }));
    // Support takes the earliest step of any queue: the emergency's 0 s.
    expect(plan.scheduleWindowMs(conversation('support'))).toBe(250);
    // A trip's first step is 30 s away: the longest wait.
    expect(plan.scheduleWindowMs(conversation('trip'))).toBe(5_000);
    // Types the file does not name follow NOTIFICATION_STEPS' first step.
    expect(plan.scheduleWindowMs(conversation('general'))).toBe(1_000);
    const none = new EscalationPlan(loadPolicy(undefined), loadConfig({ ...base, NOTIFICATION_STEPS: 'none' }));
    expect(none.scheduleWindowMs(conversation('general'))).toBe(5_000);
  });

  it('refuses a policy file with a step it cannot run', () => {
    const file = join(dir, 'bad-policy.json');
    writeFileSync(file, JSON.stringify({ ...DEFAULT_POLICY, notifications: { escalation: { trip: [{ after: 'soon', channel: 'pigeon' }] } } }));
    expect(() => loadPolicy(file)).toThrow(/notifications\/escalation\/trip\/0/);
  });
});

describe('preferences', () => {
  const push = { afterMs: 0, channel: 'push', urgency: 'normal', until: 'read' } as const;

  it('knows quiet hours across midnight, in the user’s zone', () => {
    const night = { start: '22:00', end: '07:00', timeZone: 'Africa/Addis_Ababa' };
    expect(inQuietHours(night, new Date('2030-01-01T20:30:00Z'))).toBe(true); // 23:30 in Addis Ababa
    expect(inQuietHours(night, new Date('2030-01-01T03:59:00Z'))).toBe(true); // 06:59
    expect(inQuietHours(night, new Date('2030-01-01T04:00:00Z'))).toBe(false); // 07:00
    expect(inQuietHours({ start: '12:00', end: '13:00', timeZone: 'UTC' }, new Date('2030-01-01T12:30:00Z'))).toBe(true);
  });

  it('lets emergencies through mute and quiet hours, and emails through quiet hours', () => {
    const quiet = { ...DEFAULT_SETTINGS, quietHours: { start: '00:00', end: '23:59', timeZone: 'UTC' }, mutedConversations: ['c1'] };
    const at = new Date('2030-01-01T12:00:00Z');
    expect(stepBlockedBy(push, quiet, 'c1', at)).toBe('muted');
    expect(stepBlockedBy(push, quiet, 'c2', at)).toBe('quiet_hours');
    expect(stepBlockedBy({ ...push, channel: 'email' }, quiet, 'c2', at)).toBeUndefined();
    expect(stepBlockedBy({ ...push, urgency: 'high' }, quiet, 'c1', at)).toBeUndefined();
    expect(stepBlockedBy({ ...push, urgency: 'high' }, { ...quiet, push: false }, 'c1', at)).toBe('preference');
  });
});
