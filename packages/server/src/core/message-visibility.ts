import type { Message } from './model.js';

/** Who is looking at a message, as far as moderation is concerned. */
export interface Viewer {
  /** The reader's user id; undefined for a host app's backend (API key). */
  readonly userId: string | undefined;
  /** Holds `messages.moderate` (or is a host app's backend): sees hidden content. */
  readonly moderator: boolean;
}

/**
 * The one rule for what a reader sees of a moderated message. A hidden message, and a shadowed
 * one to anyone but its sender, is a tombstone: it keeps its id, seq and time (so sequences stay
 * gap-free and replies still point somewhere) but carries no content, attachments or metadata.
 * Moderators see it whole, with `hidden` telling them what everyone else sees. A deleted
 * message has lost its content in the store already.
 */
export function visibleTo(message: Message, viewer: Viewer): Message {
  if (viewer.moderator) return message;
  const shadowedFromViewer = message.shadowed && viewer.userId !== message.senderId;
  if (shadowedFromViewer) return tombstone(message);
  if (message.hidden) return tombstone(message);
  // The sender of a shadowed message must not learn of the shadow ban.
  return message.shadowed ? { ...message, shadowed: false } : message;
}

/** What everyone but moderators sees of a hidden message. */
export function tombstone(message: Message): Message {
  return { ...message, content: '', attachments: [], metadata: {}, reactions: [], hidden: true, shadowed: false };
}
