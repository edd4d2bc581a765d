import { AppError, type ErrorCode } from '../../core/errors.js';
import { topics } from '../../bus/domain-event.js';
import type { EdgeServices } from '../../edge-services.js';
import type { InboundData, InboundFrameType } from '@switchboard/protocol';
import { guzoConversationList } from './guzo-conversation-list.js';
import { guzoMessage } from './native-shapes.js';
import { presentReaction } from '../../wire/v1-presenters.js';
import type { WsConnection } from '../../realtime/ws/ws-connection.js';
import { presentSearchPage, searchInputOf } from '../../search/index.js';

/** What a handler may do besides calling services: change the connection's rooms. */
export interface RoomControl {
  /** `lastSeq`: where the conversation stood when the caller read it. */
  joinConversationRoom(connection: WsConnection, conversationId: string, lastSeq?: number): void;
  leaveConversationRoom(connection: WsConnection, conversationId: string): void;
  watchQueue(connection: WsConnection, queue: string): void;
  unwatchQueue(connection: WsConnection, queue: string): void;
}

export interface HandlerContext {
  readonly connection: WsConnection;
  readonly services: EdgeServices;
  readonly rooms: RoomControl;
}

type Reply = Record<string, unknown>;
type Handler<T extends InboundFrameType> = (ctx: HandlerContext, data: InboundData<T>) => Promise<Reply>;

/**
 * GuzoSync's documented error texts, by event and error code. Anything else is answered with
 * the registry's own message.
 */
export const ERROR_TEXTS: Partial<Record<InboundFrameType, Partial<Record<ErrorCode, string>>>> = {
  send_chat_message: { not_participant: 'Conversation not found or access denied', conversation_not_found: 'Conversation not found or access denied' },
  get_conversation_messages: { not_participant: 'Conversation not found or access denied', conversation_not_found: 'Conversation not found or access denied' },
  typing_indicator: { not_participant: 'Conversation not found or access denied', conversation_not_found: 'Conversation not found or access denied' },
  mark_message_read: { not_participant: 'Conversation not found or access denied', conversation_not_found: 'Conversation not found or access denied' },
  join_conversation: { not_participant: 'Failed to join conversation', conversation_not_found: 'Failed to join conversation' },
  create_support_conversation: {
    forbidden: 'Only bus drivers and queue regulators can create support conversations',
    no_staff_available: 'No control center staff available',
  },
  join_support_room: { forbidden: 'Only control staff can join support rooms' },
};

/** A sync reply may take this fraction of MAX_BUFFERED_BYTES (a quarter): well inside the buffer. */
const SYNC_REPLY_SHARE = 4;

const roomTitle = (queue: string) => (queue === 'general_support' ? 'general support' : queue.replace(/_/g, ' '));
const pythonList = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

function requireQueue(ctx: HandlerContext, roomType: string | undefined): string {
  const queue = roomType ?? 'general_support';
  const { queues } = ctx.services.support;
  if (!queues.has(queue)) throw new AppError('validation_failed', `Invalid room type. Valid types: ${pythonList(queues.names)}`);
  return queue;
}

export const HANDLERS: { [T in InboundFrameType]: Handler<T> } = {
  async send_chat_message({ connection, services }, data) {
    const { message } = await services.messages.send(
      connection.actor,
      data.conversation_id,
      {
        content: data.content,
        ...(data.message_type !== undefined && { kind: data.message_type.toLowerCase() }),
        ...(data.client_id !== undefined && { clientId: data.client_id }),
        ...(data.reply_to !== undefined && { replyTo: data.reply_to }),
        ...(data.metadata !== undefined && { metadata: data.metadata }),
        ...(data.attachments !== undefined && { attachmentIds: data.attachments }),
      },
      connection.id,
    );
    // `sent_message` is the whole stored message: the sending connection gets no new_message,
    // and a client that resent a client_id learns what the original was.
    return { message: 'Message sent successfully', message_id: message.id, conversation_id: message.conversationId, seq: message.seq, client_id: message.clientId, timestamp: message.createdAt, sent_message: guzoMessage(message) };
  },

  async create_support_conversation({ connection, services, rooms }, data) {
    const result = await services.support.open(connection.actor, {
      subject: data.title,
      title: `Support: ${data.title}`,
      content: data.content,
      addAllStaff: true,
      ...(data.room_type !== undefined && { queue: data.room_type }),
      ...(data.client_id !== undefined && { clientId: data.client_id }),
    });
    const id = result.conversation.id;
    rooms.joinConversationRoom(connection, id, result.conversation.lastSeq);
    connection.sendJson({ type: 'conversation_joined', conversation_id: id, room_id: topics.conversation(id), message: `Joined conversation ${id}` });
    return {
      message: 'Support conversation created successfully',
      conversation_id: id,
      title: result.conversation.title,
      participants: [connection.userId, ...result.staff.map((u) => u.id)],
      queue: result.supportCase.queue,
      timestamp: result.conversation.createdAt,
    };
  },

  async get_active_conversations({ connection, services }) {
    const summaries = await services.conversations.list(connection.actor, { status: 'active', limit: 50 });
    const conversations = await guzoConversationList(services.directory, summaries);
    return { conversations, count: conversations.length, timestamp: new Date().toISOString() };
  },

  async get_conversation_messages({ connection, services }, data) {
    // Bounded by bytes too: one reply of long messages must fit the connection's buffer.
    const maxBytes = Math.floor(services.config.maxBufferedBytes / SYNC_REPLY_SHARE);
    const messages = await services.messages.window(connection.actor, data.conversation_id, data.skip ?? 0, data.limit ?? 50, maxBytes);
    return { messages: messages.map(guzoMessage), count: messages.length, conversation_id: data.conversation_id };
  },

  async join_conversation({ connection, services, rooms }, data) {
    const { conversation } = await services.access.read(connection.actor, data.conversation_id);
    rooms.joinConversationRoom(connection, data.conversation_id, conversation.lastSeq);
    connection.sendJson({ type: 'conversation_joined', conversation_id: data.conversation_id, room_id: topics.conversation(data.conversation_id), message: `Joined conversation ${data.conversation_id}` });
    return { message: `Joined conversation ${data.conversation_id}`, conversation_id: data.conversation_id };
  },

  async leave_conversation({ connection, rooms }, data) {
    rooms.leaveConversationRoom(connection, data.conversation_id);
    return { message: `Left conversation ${data.conversation_id}`, conversation_id: data.conversation_id };
  },

  async join_support_room(ctx, data) {
    ctx.services.supportRooms.requireMonitor(ctx.connection.actor);
    const queue = requireQueue(ctx, data.room_type);
    await ctx.services.supportRooms.watchQueue(ctx.connection.actor, queue, ctx.connection.id);
    ctx.rooms.watchQueue(ctx.connection, queue);
    return { message: `Joined ${roomTitle(queue)} room successfully`, room_id: `support:${queue}`, room_type: queue, timestamp: new Date().toISOString() };
  },

  async leave_support_room(ctx, data) {
    const queue = requireQueue(ctx, data.room_type);
    ctx.rooms.unwatchQueue(ctx.connection, queue);
    return { message: `Left ${roomTitle(queue)} room`, room_id: `support:${queue}`, room_type: queue };
  },

  async typing_indicator({ connection, services }, data) {
    await services.typing.set(connection.actor, data.conversation_id, data.is_typing);
    return {};
  },

  async mark_message_read({ connection, services }, data) {
    const { participant } = data.message_id !== undefined
      ? await services.messages.markReadUpTo(connection.actor, data.conversation_id, data.message_id, connection.id)
      : await services.messages.markRead(connection.actor, data.conversation_id, data.seq, { origin: connection.id });
    return { conversation_id: data.conversation_id, last_read_seq: participant.lastReadSeq };
  },

  async mark_delivered({ connection, services }, data) {
    const participant = await services.messages.markDelivered(connection.actor, data.conversation_id, data.seq);
    return { conversation_id: data.conversation_id, last_delivered_seq: participant.lastDeliveredSeq };
  },

  async sync({ connection, services }, data) {
    const limit = data.limit ?? 100;
    // The reply goes out as one frame: past the connection's buffer it would close the client as
    // a slow consumer (4008, "reconnect and sync"), which would sync into the same page again.
    // So a reply is bounded by bytes as well, over all its conversations, and says has_more.
    let budget = Math.floor(services.config.maxBufferedBytes / SYNC_REPLY_SHARE);
    let sent = 0;
    const conversations = [];
    for (const { id, after_seq } of data.conversations) {
      const page = await services.messages.page(connection.actor, id, { afterSeq: after_seq, limit: budget > 0 ? limit : 1, maxBytes: Math.max(budget, 1) });
      const messages = [];
      for (const message of page.messages) {
        const shaped = guzoMessage(message);
        const bytes = Buffer.byteLength(JSON.stringify(shaped));
        // At least one message per reply, however large, so paging always moves on.
        if (sent > 0 && bytes > budget) break;
        messages.push(shaped);
        sent++;
        budget -= bytes;
      }
      const summary = await services.directory.conversations.summaryFor(id, connection.userId);
      conversations.push({
        conversation_id: id,
        messages,
        has_more: page.hasMore || messages.length < page.messages.length,
        last_seq: summary?.conversation.lastSeq ?? null,
        last_read_seq: summary?.participant.lastReadSeq ?? null,
        unread_count: summary?.unreadCount ?? null,
      });
    }
    return { conversations };
  },

  async edit_message({ connection, services }, data) {
    const message = await services.messages.edit(connection.actor, data.conversation_id, data.message_id, data.content);
    return { message: guzoMessage(message) };
  },

  async delete_message({ connection, services }, data) {
    const message = await services.messages.delete(connection.actor, data.conversation_id, data.message_id);
    return { message: guzoMessage(message) };
  },

  async search_messages({ connection, services }, data) {
    return presentSearchPage(await services.search.messages(connection.actor, searchInputOf(data)));
  },

  async report_message({ connection, services }, data) {
    const { report, created } = await services.moderation.report(connection.actor, data.message_id, { conversationId: data.conversation_id, reason: data.reason, note: data.note ?? null });
    return { report_id: report.id, message_id: report.messageId, created };
  },

  async add_reaction({ connection, services }, data) {
    const reactions = await services.messages.react(connection.actor, data.conversation_id, data.message_id, data.emoji, true);
    return { message_id: data.message_id, reactions: reactions.map(presentReaction) };
  },

  async remove_reaction({ connection, services }, data) {
    const reactions = await services.messages.react(connection.actor, data.conversation_id, data.message_id, data.emoji, false);
    return { message_id: data.message_id, reactions: reactions.map(presentReaction) };
  },

  async get_presence({ connection, services }, data) {
    const contacts = new Set(await services.presence.contactsOf(connection.userId));
    const visible = data.user_ids.filter((id) => contacts.has(id) || id === connection.userId);
    const states = await services.presence.get(visible);
    return { presence: states.map((s) => ({ user_id: s.userId, status: s.status, last_seen_at: s.lastSeenAt })) };
  },
};
