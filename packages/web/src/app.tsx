import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { ApiClient, ApiError } from './api/api-client.js';
import { ApiProvider } from './api/api-provider.js';
import { can, sessionStore, type Session } from './api/session.js';
import { LoginPage } from './auth/login-page.js';
import { ADMIN_ABILITIES } from './admin/admin-abilities.js';
import { ChatPage } from './chat/chat-page.js';
import { CONSOLE_ABILITIES } from './console/console-abilities.js';
import { I18nProvider, useI18n } from './i18n/i18n-provider.js';
import { AppShell } from './layout/app-shell.js';
import { LiveClientProvider } from './live/live-client-provider.js';

// Most people only chat: the console and the admin screens load when first opened.
const ConsolePage = lazy(() => import('./console/console-page.js').then((m) => ({ default: m.ConsolePage })));
const AdminPage = lazy(() => import('./admin/admin-page.js').then((m) => ({ default: m.AdminPage })));

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: true } },
  // A token the API no longer takes (expired, revoked) ends the session here too, not only on the live link.
  queryCache: new QueryCache({ onError: (error) => error instanceof ApiError && error.status === 401 && sessionStore.set(null) }),
});
const api = new ApiClient({ baseUrl: window.location.origin, token: () => sessionStore.get()?.token ?? null });

function useSession(): Session | null {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
}

/** Keeps `<html lang>` in step with the chosen language, for screen readers and hyphenation. */
function DocumentLanguage() {
  const { locale, t } = useI18n();
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.name');
  }, [locale, t]);
  return null;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <main id="main" className="placeholder">
      <p>{t('common.notFound')}</p>
      <Link to="/">{t('common.backHome')}</Link>
    </main>
  );
}

function Loading() {
  const { t } = useI18n();
  return <p className="placeholder">{t('common.loading')}</p>;
}

function SignedIn({ session }: { session: Session }) {
  const navigate = useNavigate();
  const end = useCallback(
    (ended: boolean) => {
      const token = session.token;
      sessionStore.set(null);
      queryClient.clear();
      if (!ended) void new ApiClient({ baseUrl: window.location.origin, token: () => token }).post('/v1/auth/logout').catch(() => {});
      navigate('/login', { replace: true, state: { ended } });
    },
    [navigate, session.token],
  );
  return (
    <LiveClientProvider url={window.location.origin} userId={session.user.id} token={() => sessionStore.get()?.token ?? null} onTerminal={() => end(true)}>
      <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<AppShell session={session} onSignOut={() => end(false)} />}>
          <Route index element={<ChatPage myId={session.user.id} />} />
          <Route path="c/:conversationId" element={<ChatPage myId={session.user.id} />} />
          <Route path="console/:caseId?" element={can(session, ...CONSOLE_ABILITIES) ? <ConsolePage session={session} /> : <NotFound />} />
          <Route path="admin/:tab?" element={can(session, ...ADMIN_ABILITIES) ? <AdminPage session={session} /> : <NotFound />} />
          <Route path="login" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
      </Suspense>
    </LiveClientProvider>
  );
}

function Screens() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    if (location.pathname === '/login') return <LoginPage />;
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
  return <SignedIn session={session} />;
}

export function App() {
  const client = useMemo(() => queryClient, []);
  return (
    <I18nProvider>
      <DocumentLanguage />
      <QueryClientProvider client={client}>
        <ApiProvider api={api}>
          <BrowserRouter>
            <Screens />
          </BrowserRouter>
        </ApiProvider>
      </QueryClientProvider>
    </I18nProvider>
  );
}
