import type { Conversation, Message, Participant } from '../core/model.js';
import type { Store } from '../storage/store.js';
import { presentConversation, presentMessage, presentParticipant } from '../wire/v1-presenters.js';
import type { TextSink } from './atomic-file.js';

/** Messages read per page while exporting one conversation. */
const MESSAGE_PAGE = 500;
/** Conversations read per page while exporting all of them. */
const CONVERSATION_PAGE = 200;

export type ExportFormat = 'ndjson' | 'json';

/**
 * A conversation as exported: the v1 shape plus what a backup must keep that the API shows no
 * one (last activity, every participant's muted flag).
 */
export function exportedConversation(conversation: Conversation, participants: readonly Participant[]) {
  return {
    ...presentConversation(conversation),
    last_activity_at: conversation.lastActivityAt,
    participants: participants.map((p) => ({ ...presentParticipant(p), muted: p.muted })),
  };
}

/** A message as stored: hidden, deleted, reported and shadowed flags included, content kept. */
export function exportedMessage(message: Message) {
  return { ...presentMessage(message), reported: message.reported, shadowed: message.shadowed };
}

/** Every conversation of the store, in id order, a page at a time. */
export async function* allConversations(store: Store): AsyncGenerator<readonly Conversation[]> {
  let afterId: string | undefined;
  for (;;) {
    const page = await store.conversations.scan({ limit: CONVERSATION_PAGE, ...(afterId !== undefined && { afterId }) });
    if (page.length > 0) yield page;
    if (page.length < CONVERSATION_PAGE) return;
    afterId = page.at(-1)!.id;
  }
}

/** A conversation's messages in seq order, with their reactions, a page at a time. */
async function* messagesOf(store: Store, conversation: Conversation): AsyncGenerator<Message> {
  // Seqs are gap-free from 1: a conversation at seq 0 has no message to read.
  if (conversation.lastSeq === 0) return;
  const conversationId = conversation.id;
  let afterSeq = 0;
  for (;;) {
    const { messages, hasMore } = await store.messages.page({ conversationId, afterSeq, limit: MESSAGE_PAGE });
    const reactions = await store.reactions.forMessages(messages.map((m) => m.id));
    for (const message of messages) yield { ...message, reactions: reactions.get(message.id) ?? [] };
    if (!hasMore || messages.length === 0) return;
    afterSeq = messages.at(-1)!.seq;
  }
}

/**
 * Writes conversations with their participants and messages. NDJSON: a `conversation` line, then
 * one `message` line per message in seq order. JSON: one document,
 * `{"conversations":[{"conversation":{…},"messages":[…]}]}`, written as it is read, never held whole.
 * Calls `exported` after each conversation; resolves the number of messages written.
 */
export async function writeExport(store: Store, pages: AsyncIterable<readonly Conversation[]>, format: ExportFormat, sink: TextSink, exported: () => void): Promise<number> {
  let messageCount = 0;
  let first = true;
  if (format === 'json') await sink.write('{"conversations":[');
  for await (const page of pages) {
    const participants = await store.conversations.participantsOf(page.map((c) => c.id));
    for (const conversation of page) {
      messageCount += await writeConversation(store, conversation, participants.get(conversation.id) ?? [], format, sink, first);
      first = false;
      exported();
    }
  }
  if (format === 'json') await sink.write('\n]}\n');
  return messageCount;
}

/** One conversation's header and messages; resolves how many messages it wrote. */
async function writeConversation(store: Store, conversation: Conversation, participants: readonly Participant[], format: ExportFormat, sink: TextSink, first: boolean): Promise<number> {
  const header = exportedConversation(conversation, participants);
  if (format === 'ndjson') await sink.write(`${JSON.stringify({ type: 'conversation', conversation: header })}\n`);
  else await sink.write(`${first ? '' : ','}\n{"conversation":${JSON.stringify(header)},"messages":[`);
  let messageCount = 0;
  for await (const message of messagesOf(store, conversation)) {
    const line = JSON.stringify(format === 'ndjson' ? { type: 'message', message: exportedMessage(message) } : exportedMessage(message));
    await sink.write(format === 'ndjson' ? `${line}\n` : `${messageCount === 0 ? '' : ','}\n${line}`);
    messageCount++;
  }
  if (format === 'json') await sink.write(']}');
  return messageCount;
}
