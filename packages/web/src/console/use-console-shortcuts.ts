import { useEffect, useRef } from 'react';
import { tinykeys } from 'tinykeys';

export interface ConsoleShortcuts {
  next(): void;
  previous(): void;
  resolveAndNext(): void;
}

/**
 * Alt+J / Alt+K move through the case list and Alt+E resolves and opens the next (after
 * Chatwoot's). `code`-based, so they hold on every keyboard layout (Cyrillic included).
 */
export function useConsoleShortcuts(handlers: ConsoleShortcuts): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(
    () =>
      tinykeys(window, {
        'Alt+KeyJ': (e) => { e.preventDefault(); latest.current.next(); },
        'Alt+KeyK': (e) => { e.preventDefault(); latest.current.previous(); },
        'Alt+KeyE': (e) => { e.preventDefault(); latest.current.resolveAndNext(); },
      },
      // Also while typing in the composer, where an agent spends most of the time: Alt chords type nothing.
      { ignore: (e) => e.repeat || e.isComposing }),
    [],
  );
}
