import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-provider.js';
import { useT } from '../i18n/i18n-provider.js';

interface DemoUsersAnswer {
  readonly password: string;
  readonly users: readonly { id: string; email: string; display_name: string; roles: string[] }[];
}

/** One-click sign-in as each demo person; renders nothing unless the server started with --demo. */
export function DemoUsers({ onPick, disabled }: { onPick(email: string, password: string): void; disabled: boolean }) {
  const t = useT();
  const api = useApi();
  const demo = useQuery({ queryKey: ['demo-users'], queryFn: () => api.get<DemoUsersAnswer>('/v1/demo/users'), retry: false, staleTime: Infinity });
  if (!demo.data) return null;
  const { password, users } = demo.data;
  return (
    <section className="demo-users" aria-labelledby="demo-users-title">
      <h2 id="demo-users-title">{t('auth.demoTitle')}</h2>
      <p>{t('auth.demoHint')}</p>
      <ul>
        {users.map((u) => (
          <li key={u.id}>
            <button type="button" disabled={disabled} onClick={() => onPick(u.email, password)} aria-label={t('auth.demoSignIn', { name: u.display_name })}>
              <span className="demo-name">{u.display_name}</span> <span className="demo-roles">{u.roles.join(', ')}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
