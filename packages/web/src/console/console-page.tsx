import { useId, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { can, type Session } from '../api/session.js';
import type { CaseStatus } from '../api/wire-types.js';
import { ConversationView } from '../chat/conversation-view.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { CANNED_RESPONSES } from './canned-responses.js';
import { CaseActions, useCaseCommand, type CaseCommand } from './case-actions.js';
import { CaseDetails } from './case-details.js';
import { CaseList } from './case-list.js';
import { QueueSummary } from './queue-summary.js';
import { useConsoleShortcuts } from './use-console-shortcuts.js';
import { useCase, useCases, useConversation, useQueues, useSupportEvents, type CaseView } from './use-support-data.js';

const VIEWS: readonly CaseView[] = ['mine', 'unassigned', 'all'];
const STATUSES: readonly (CaseStatus | 'any')[] = ['any', 'waiting', 'active', 'resolved', 'closed'];
const VIEW_LABEL = { mine: 'console.viewMine', unassigned: 'console.viewUnassigned', all: 'console.viewAll' } as const;

/** `/console` and `/console/:caseId`: queues, the case list, the thread and the case beside it. */
export function ConsolePage({ session }: { session: Session }) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const { caseId } = useParams();
  const [view, setView] = useState<CaseView>('all');
  const [status, setStatus] = useState<CaseStatus | 'any'>('any');
  const [insert, setInsert] = useState<{ text: string; nonce: number }>();
  const statusId = useId();
  const cannedId = useId();
  const queues = useQueues();
  const queueNames = (queues.data ?? []).map((q) => q.queue);
  useSupportEvents(queueNames);
  const cases = useCases(view, status);
  const selected = useCase(caseId);
  const conversation = useConversation(caseId);
  const command = useCaseCommand();
  const canHandle = can(session, 'support.handle');
  const list = cases.data ?? [];

  const open = (offset: number) => {
    if (list.length === 0) return;
    const at = list.findIndex((c) => c.conversation_id === caseId);
    const next = list[at === -1 ? 0 : (at + offset + list.length) % list.length];
    if (next) navigate(`/console/${encodeURIComponent(next.conversation_id)}`);
  };
  const run = (c: CaseCommand) => caseId && command.mutate({ id: caseId, command: c });
  useConsoleShortcuts({
    next: () => open(1),
    previous: () => open(-1),
    resolveAndNext: () => {
      if (!caseId || !canHandle) return;
      command.mutate({ id: caseId, command: { kind: 'status', status: 'resolved' } });
      open(1);
    },
  });

  return (
    <div className="console-page">
      <nav className="sidebar" aria-label={t('console.cases')}>
        <h1>{t('console.title')}</h1>
        <h2>{t('console.queues')}</h2>
        {queues.data ? <QueueSummary queues={queues.data} /> : <p>{t('common.loading')}</p>}
        <h2>{t('console.cases')}</h2>
        <div className="case-filters">
          <div role="group" aria-label={t('console.view')} className="segmented">
            {VIEWS.map((v) => (
              <button type="button" key={v} aria-pressed={view === v} onClick={() => setView(v)}>{t(VIEW_LABEL[v])}</button>
            ))}
          </div>
          <label htmlFor={statusId}>{t('console.status')}</label>{' '}
          <select id={statusId} value={status} onChange={(e) => setStatus(e.target.value as CaseStatus | 'any')}>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`console.status.${s}`)}</option>)}
          </select>
        </div>
        {cases.isPending ? <p>{t('common.loading')}</p> : <CaseList cases={list} selectedId={caseId} />}
        <p className="shortcuts-hint">{t('console.shortcuts')}</p>
      </nav>
      <main id="main" className="main-pane">
        {caseId && selected.data ? (
          <ConversationView
            key={caseId}
            conversationId={caseId}
            title={selected.data.subject}
            insert={insert}
            searchable={false}
            toolbar={
              <div className="case-toolbar">
                <CaseActions supportCase={selected.data} canHandle={canHandle} queues={queueNames} run={run} busy={command.isPending} error={command.error ? command.error.message : null} />
                <label htmlFor={cannedId}>{t('console.canned')}</label>{' '}
                <select id={cannedId} value="" onChange={(e) => e.target.value && setInsert({ text: e.target.value, nonce: Date.now() })}>
                  <option value="">{t('console.cannedPick')}</option>
                  {CANNED_RESPONSES[locale].map((text) => <option key={text} value={text}>{text}</option>)}
                </select>
              </div>
            }
          />
        ) : caseId && selected.error ? (
          <p role="alert">{t('common.error', { message: selected.error.message })}</p>
        ) : (
          <p className="placeholder">{t('console.pickCase')}</p>
        )}
      </main>
      {caseId && selected.data && <CaseDetails supportCase={selected.data} conversation={conversation.data} />}
    </div>
  );
}
