import type { DomainEvent } from './domain-event.js';

/**
 * What travels between nodes, as a union on `type` so later kinds (requests between nodes, say)
 * can join without confusing older nodes, which drop what they do not know.
 */
export type BusEnvelope = {
  readonly type: 'event';
  /** The publishing node, so it can recognise (and skip) its own envelopes. */
  readonly node: string;
  readonly event: DomainEvent;
};

export type DecodedEnvelope = { readonly ok: true; readonly envelope: BusEnvelope } | { readonly ok: false; readonly reason: string };

/** JSON, because every field of a domain event is already JSON (timestamps are ISO strings). */
export function encodeEnvelope(envelope: BusEnvelope): string {
  return JSON.stringify(envelope);
}

/**
 * Decodes bytes from the wire without throwing: a malformed or foreign payload is a reason to
 * log, never an exception in the subscriber's event loop. Only the envelope is checked; the event
 * is trusted as far as having a string `type`, since only our own nodes publish on our channels.
 */
export function decodeEnvelope(payload: string): DecodedEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'the payload is not JSON' };
  }
  if (!isRecord(value) || value.type !== 'event') return { ok: false, reason: 'the envelope type is not "event"' };
  if (typeof value.node !== 'string' || value.node === '') return { ok: false, reason: 'the envelope has no node id' };
  if (!isRecord(value.event) || typeof value.event.type !== 'string') return { ok: false, reason: 'the envelope carries no event' };
  return { ok: true, envelope: value as unknown as BusEnvelope };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
