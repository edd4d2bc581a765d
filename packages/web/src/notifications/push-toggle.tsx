import { useEffect, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { enableWebPush, registerServiceWorker, webPushEnabled, webPushSupported } from './web-push.js';

/** "Enable notifications" in the top bar: web push for this browser, asked for on a click. */
export function PushToggle() {
  const api = useApi();
  const { t } = useI18n();
  const [state, setState] = useState<'unknown' | 'off' | 'enabled' | 'denied' | 'failed'>('unknown');

  useEffect(() => {
    void registerServiceWorker();
    void webPushEnabled().then((on) => setState(on ? 'enabled' : 'off'));
  }, []);

  if (!webPushSupported() || state === 'unknown') return null;
  if (state === 'enabled') return <span className="push-state">{t('push.enabled')}</span>;
  if (state === 'denied') return <span className="push-state">{t('push.denied')}</span>;
  return (
    <button
      type="button"
      onClick={() => {
        enableWebPush(api).then(
          (result) => setState(result === 'enabled' ? 'enabled' : result === 'denied' ? 'denied' : 'failed'),
          () => setState('failed'),
        );
      }}
    >
      {state === 'failed' ? t('push.retry') : t('push.enable')}
    </button>
  );
}
