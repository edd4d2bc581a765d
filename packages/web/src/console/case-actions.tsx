import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { CaseStatus, SupportCase } from '../api/wire-types.js';
import { useT } from '../i18n/i18n-provider.js';
import { SUPPORT_KEY } from './use-support-data.js';

export type CaseCommand = { kind: 'accept' } | { kind: 'status'; status: CaseStatus } | { kind: 'transfer'; queue: string };

/** Runs one case command against the REST API and refreshes the console. */
export function useCaseCommand() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, command }: { id: string; command: CaseCommand }) => {
      const path = `/v1/support/cases/${encodeURIComponent(id)}`;
      if (command.kind === 'accept') return api.post<{ case: SupportCase }>(`${path}/accept`);
      if (command.kind === 'transfer') return api.post<{ case: SupportCase }>(`${path}/assign`, { queue: command.queue });
      return api.post<{ case: SupportCase }>(`${path}/status`, { status: command.status });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: SUPPORT_KEY }),
  });
}

interface CaseActionsProps {
  readonly supportCase: SupportCase;
  readonly canHandle: boolean;
  readonly queues: readonly string[];
  run(command: CaseCommand): void;
  readonly busy: boolean;
  readonly error: string | null;
}

/** What an agent can do to the case now: the buttons follow its status. */
export function CaseActions({ supportCase, canHandle, queues, run, busy, error }: CaseActionsProps) {
  const t = useT();
  const transferId = useId();
  const others = queues.filter((q) => q !== supportCase.queue);
  const [target, setTarget] = useState('');
  if (!canHandle) return <p className="case-actions">{t('console.monitorOnly')}</p>;
  const { status } = supportCase;
  return (
    <div className="case-actions" role="group" aria-label={t('console.caseDetails')}>
      {status === 'waiting' && <button type="button" disabled={busy} onClick={() => run({ kind: 'accept' })}>{t('console.accept')}</button>}
      {(status === 'waiting' || status === 'active') && <button type="button" disabled={busy} onClick={() => run({ kind: 'status', status: 'resolved' })}>{t('console.resolve')}</button>}
      {status !== 'closed' && <button type="button" disabled={busy} onClick={() => run({ kind: 'status', status: 'closed' })}>{t('console.close')}</button>}
      {(status === 'resolved' || status === 'closed') && <button type="button" disabled={busy} onClick={() => run({ kind: 'status', status: 'active' })}>{t('console.reopen')}</button>}
      {others.length > 0 && status !== 'closed' && (
        <span className="transfer">
          <label htmlFor={transferId}>{t('console.transferTo')}</label>{' '}
          <select id={transferId} value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">—</option>
            {others.map((q) => <option key={q} value={q}>{q}</option>)}
          </select>{' '}
          <button type="button" disabled={busy || target === ''} onClick={() => { run({ kind: 'transfer', queue: target }); setTarget(''); }}>{t('console.transfer')}</button>
        </span>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </div>
  );
}
