import { useT } from '../i18n/i18n-provider.js';

/** Who is typing, in words. Not a live region: the log already speaks, and this would chatter. */
export function TypingIndicator({ names }: { names: readonly string[] }) {
  const t = useT();
  return (
    <p className="typing-indicator" aria-hidden={names.length === 0}>
      {names.length === 0 ? '\u00a0' : names.length === 1 ? t('chat.typingOne', { name: names[0]! }) : t('chat.typingMany', { names: names.join(', ') })}
    </p>
  );
}
