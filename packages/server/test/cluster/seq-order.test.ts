import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DomainEvent } from '../../src/bus/domain-event.js';
import type { Message } from '../../src/core/model.js';
import { SeqOrder } from '../../src/realtime/seq-order.js';

/**
 * The ordering stage every node puts between the bus and its connections: with several nodes
 * publishing into one conversation, seq 8 may arrive before seq 7.
 */
describe('SeqOrder', () => {
  let delivered: DomainEvent[];
  let order: SeqOrder;
  beforeEach(() => {
    vi.useFakeTimers();
    delivered = [];
    order = new SeqOrder((event) => delivered.push(event), 1000);
  });
  afterEach(() => {
    order.close();
    vi.useRealTimers();
  });

  const message = (seq: number): DomainEvent => ({ type: 'message.created', conversationId: 'c1', message: { id: `m${seq}`, seq } as Message });
  const seqs = () => delivered.map((e) => (e.type === 'message.created' ? e.message.seq : e.type));

  it('passes messages that arrive in order straight through', () => {
    for (const seq of [4, 5, 6]) order.accept(message(seq));
    expect(seqs()).toEqual([4, 5, 6]);
  });

  it('holds even the first message seen when the seed says an earlier one is still coming', () => {
    order.seed(0);
    order.accept(message(2));
    expect(seqs()).toEqual([]);
    order.accept(message(1));
    expect(seqs()).toEqual([1, 2]);
  });

  it('ignores a seed once messages have been seen', () => {
    order.accept(message(5));
    order.seed(1);
    order.accept(message(6));
    expect(seqs()).toEqual([5, 6]);
  });

  it('holds a message that skips ahead until the missing one arrives, then delivers both in order', () => {
    order.accept(message(1));
    order.accept(message(3));
    order.accept(message(4));
    expect(seqs()).toEqual([1]);
    order.accept(message(2));
    expect(seqs()).toEqual([1, 2, 3, 4]);
  });

  it('gives up on a gap after the window and delivers what it holds in seq order', () => {
    order.accept(message(1));
    order.accept(message(4));
    order.accept(message(3));
    vi.advanceTimersByTime(999);
    expect(seqs()).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seqs()).toEqual([1, 3, 4]);
    order.accept(message(5));
    expect(seqs()).toEqual([1, 3, 4, 5]);
  });

  it('still delivers a message that arrives after its window, and never holds other events', () => {
    order.accept(message(1));
    order.accept(message(3));
    order.accept({ type: 'typing', conversationId: 'c1', userId: 'u', userName: 'U', isTyping: true });
    expect(seqs()).toEqual([1, 'typing']);
    vi.advanceTimersByTime(1000);
    order.accept(message(2));
    expect(seqs()).toEqual([1, 'typing', 3, 2]);
  });

  it('drops what it holds when closed', () => {
    order.accept(message(1));
    order.accept(message(3));
    order.close();
    vi.advanceTimersByTime(5000);
    expect(seqs()).toEqual([1]);
  });
});
