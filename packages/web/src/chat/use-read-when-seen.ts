import type { Conversation } from '@switchboard/sdk';
import { useCallback, useEffect, useRef } from 'react';

/** A message counts as read once this much of it stays on screen this long (zulip#17628). */
const SEEN_FOR_MS = 500;
const SEEN_RATIO = 0.6;

/**
 * Moves the read pointer only for messages a person could actually have read: on screen (not
 * scrolled away, not clipped by the list), in a visible tab, for at least half a second.
 * Returns a ref callback for each message element.
 */
export function useReadWhenSeen(conversation: Conversation | null): (element: Element | null, seq: number) => (() => void) | undefined {
  const seqOf = useRef(new WeakMap<Element, number>());
  const timers = useRef(new Map<Element, ReturnType<typeof setTimeout>>());
  const observer = useRef<IntersectionObserver | null>(null);

  useEffect(() => {
    if (!conversation || typeof IntersectionObserver === 'undefined') return;
    const pending = timers.current;
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const element = entry.target;
          clearTimeout(pending.get(element));
          pending.delete(element);
          if (!entry.isIntersecting) continue;
          pending.set(
            element,
            setTimeout(() => {
              pending.delete(element);
              if (document.visibilityState !== 'visible') return;
              const seq = seqOf.current.get(element);
              if (seq !== undefined) conversation.markRead(seq);
              io.unobserve(element);
            }, SEEN_FOR_MS),
          );
        }
      },
      { threshold: SEEN_RATIO },
    );
    observer.current = io;
    return () => {
      io.disconnect();
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      observer.current = null;
    };
  }, [conversation]);

  return useCallback((element: Element | null, seq: number) => {
    const io = observer.current;
    if (!element || !io) return undefined;
    seqOf.current.set(element, seq);
    io.observe(element);
    return () => {
      io.unobserve(element);
      clearTimeout(timers.current.get(element));
      timers.current.delete(element);
    };
  }, [conversation]); // eslint-disable-line react-hooks/exhaustive-deps
}
