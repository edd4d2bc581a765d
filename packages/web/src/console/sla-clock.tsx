import { useEffect, useState } from 'react';
import type { SupportCase } from '../api/wire-types.js';
import { formatDuration } from '../i18n/format-duration.js';
import { useT } from '../i18n/i18n-provider.js';

/** Time to first response: ticking while the customer waits, fixed once answered. */
export function SlaClock({ supportCase }: { supportCase: SupportCase }) {
  const t = useT();
  const answered = supportCase.first_response_at;
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (answered) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [answered]);
  const since = Date.parse(supportCase.created_at);
  const text = answered ? t('console.slaMet', { duration: formatDuration(t, Date.parse(answered) - since) }) : t('console.slaWaiting', { duration: formatDuration(t, now - since) });
  return <span className={`sla-clock${answered ? ' met' : ''}`}>{text}</span>;
}
