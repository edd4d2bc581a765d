import { useT } from '../i18n/i18n-provider.js';
import { useBrowserOnline, useConnectionState } from './live-client-provider.js';

/**
 * Shown while the real-time link is down. A status (polite), never an alert: it comes and goes
 * with the network and must not interrupt a screen reader mid-sentence.
 */
export function OfflineBanner() {
  const t = useT();
  const { state, retryInMs, error } = useConnectionState();
  const online = useBrowserOnline();
  // A client that has not started yet is `disconnected` too, but without a reason: not news.
  const down = !online || (state === 'disconnected' && error !== undefined);
  return (
    <div role="status" className="offline-banner" hidden={!down}>
      {down && (!online ? t('connection.offline') : retryInMs !== undefined && retryInMs > 1000 ? t('connection.retryIn', { seconds: Math.round(retryInMs / 1000) }) : t('connection.reconnecting'))}
    </div>
  );
}
