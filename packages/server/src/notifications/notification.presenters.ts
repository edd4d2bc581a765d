import type { NotificationJson, NotificationSettingsJson } from '@switchboard/protocol';
import type { Notification, NotificationSettings, PushSubscription } from '../storage/store.js';

export function presentNotification(n: Notification): NotificationJson {
  return {
    id: n.id,
    conversation_id: n.conversationId,
    from_seq: n.fromSeq,
    to_seq: n.toSeq,
    message_count: n.messageCount,
    last_message_id: n.lastMessageId,
    escalating: n.state === 'open' && n.steps.length > 0,
    read_at: n.readAt,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
  };
}

export function presentSettings(s: Omit<NotificationSettings, 'updatedAt'> & { updatedAt: string | null }): NotificationSettingsJson {
  return {
    push: s.push,
    email: s.email,
    quiet_hours: s.quietHours && { start: s.quietHours.start, end: s.quietHours.end, time_zone: s.quietHours.timeZone },
    muted_conversations: [...s.mutedConversations],
    updated_at: s.updatedAt,
  };
}

export const presentSubscription = (s: PushSubscription) => ({ endpoint: s.endpoint, device_id: s.deviceId, created_at: s.createdAt });
