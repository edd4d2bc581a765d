import type { ConversationJson } from '@switchboard/protocol';
import type { SupportCase } from '../api/wire-types.js';
import { useT } from '../i18n/i18n-provider.js';
import { useUserNames } from '../chat/use-user-names.js';
import { SlaClock } from './sla-clock.js';

/** Links a host app put on the conversation (`metadata.links`: label → URL), when they are web links. */
function linksOf(conversation: ConversationJson | undefined): [string, string][] {
  const links = conversation?.metadata?.links;
  if (!links || typeof links !== 'object') return [];
  return Object.entries(links as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string' && /^https?:\/\//.test(e[1]));
}

/** Beside the thread: the case, the host object it is about, the SLA clock and the rating. */
export function CaseDetails({ supportCase, conversation }: { supportCase: SupportCase; conversation: ConversationJson | undefined }) {
  const t = useT();
  const names = useUserNames([supportCase.requester_id, ...(supportCase.assigned_agent_id ? [supportCase.assigned_agent_id] : [])]);
  const links = linksOf(conversation);
  const context = conversation?.context;
  const facts = Object.entries(conversation?.metadata ?? {}).filter(([key, value]) => key !== 'links' && (typeof value === 'string' || typeof value === 'number'));
  return (
    <aside className="case-details" aria-labelledby="case-details-title">
      <h2 id="case-details-title">{t('console.caseDetails')}</h2>
      <dl>
        <dt>{t('console.status')}</dt>
        <dd>{t(`console.status.${supportCase.status}`)}</dd>
        <dt>{t('console.queue')}</dt>
        <dd>{supportCase.queue}</dd>
        <dt>{t('console.priority')}</dt>
        <dd>{supportCase.priority}</dd>
        <dt>{t('console.requester')}</dt>
        <dd>{names.get(supportCase.requester_id)}</dd>
        <dt>{t('console.agent')}</dt>
        <dd>{supportCase.assigned_agent_id ? names.get(supportCase.assigned_agent_id) : t('console.unassigned')}</dd>
        <dt>{t('console.sla')}</dt>
        <dd><SlaClock supportCase={supportCase} /></dd>
        <dt>{t('console.csat')}</dt>
        <dd>{supportCase.csat_score !== null ? `${t('console.csatScore', { score: supportCase.csat_score })}${supportCase.csat_comment ? ` — ${supportCase.csat_comment}` : ''}` : t('console.csatNone')}</dd>
      </dl>
      <h3>{t('console.hostObject')}</h3>
      {context ? (
        <dl>
          <dt>{context.type}</dt>
          <dd>{context.id}</dd>
          {facts.map(([key, value]) => (
            <FactRow key={key} name={key} value={String(value)} />
          ))}
        </dl>
      ) : (
        <p>{t('console.noHostObject')}</p>
      )}
      {links.length > 0 && (
        <>
          <h3>{t('console.links')}</h3>
          <ul>
            {links.map(([label, href]) => (
              <li key={label}><a href={href} target="_blank" rel="noreferrer">{label}</a></li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}

function FactRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}
