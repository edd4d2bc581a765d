import { randomBytes } from 'node:crypto';
import type { Conversation, Message, User } from '../../src/core/model.js';
import type { NewConversation, NewMessage, NewUser, Store } from '../../src/storage/store.js';

/** Small builders: each call gives a valid, unique input; a test overrides only what it is about. */

const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

export function buildUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = overrides.id ?? unique('user');
  return { id, email: `${id}@example.test`, passwordHash: null, displayName: `User ${id}`, roles: [], ...overrides };
}

export function buildConversation(overrides: Partial<NewConversation> = {}): NewConversation {
  return { type: 'direct', context: null, title: null, metadata: {}, createdBy: null, participants: [], ...overrides };
}

export function buildMessage(conversationId: string, senderId: string | null, overrides: Partial<NewMessage> = {}): NewMessage {
  return { conversationId, senderId, kind: 'text', content: unique('hello'), ...overrides };
}

export function createUser(store: Store, overrides: Partial<NewUser> = {}): Promise<User> {
  return store.users.upsert(buildUser(overrides));
}

/** A conversation whose participants are the given users, all with the role `member`. */
export function createConversation(store: Store, members: readonly User[], overrides: Partial<NewConversation> = {}): Promise<Conversation> {
  return store.conversations.create(
    buildConversation({ participants: members.map((user) => ({ userId: user.id, role: 'member' })), ...overrides }),
  );
}

/** Appends `count` messages one after another and returns them in order. */
export async function appendMessages(store: Store, conversationId: string, senderId: string | null, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push((await store.messages.append(buildMessage(conversationId, senderId))).message);
  return messages;
}
