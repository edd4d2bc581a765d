import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/api-client.js';
import { sessionStore } from '../api/session.js';
import { useT } from '../i18n/i18n-provider.js';
import { LocalePicker } from '../i18n/locale-picker.js';
import { DemoUsers } from './demo-users.js';
import { signIn } from './sign-in.js';

/** `/login`: email and password, and the demo people on a demo start. */
export function LoginPage() {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ended = (location.state as { ended?: boolean } | null)?.ended === true;
  const back = (location.state as { from?: string } | null)?.from ?? '/';

  const attempt = async (withEmail: string, withPassword: string) => {
    setBusy(true);
    setError(null);
    try {
      sessionStore.set(await signIn(window.location.origin, withEmail, withPassword));
      navigate(back === '/login' ? '/' : back, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 429 ? t('auth.tooMany') : e instanceof ApiError && e.status === 401 ? t('auth.failed') : t('common.error', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void attempt(email, password);
  };

  return (
    <main id="main" className="login-page">
      <LocalePicker />
      <h1>{t('auth.title')}</h1>
      {ended && <p role="status">{t('auth.sessionEnded')}</p>}
      <form onSubmit={submit} className="login-form">
        <label>
          {t('auth.email')}
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t('auth.password')}
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && <p role="alert" className="error">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? t('auth.signingIn') : t('auth.signIn')}</button>
      </form>
      <DemoUsers disabled={busy} onPick={(e, p) => void attempt(e, p)} />
    </main>
  );
}
