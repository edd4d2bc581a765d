import { NavLink, Outlet } from 'react-router';
import type { Session } from '../api/session.js';
import { can } from '../api/session.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { LocalePicker } from '../i18n/locale-picker.js';
import { OfflineBanner } from '../live/offline-banner.js';
import { PushToggle } from '../notifications/push-toggle.js';
import { CONSOLE_ABILITIES } from '../console/console-abilities.js';
import { ADMIN_ABILITIES } from '../admin/admin-abilities.js';

/** The frame of every signed-in screen: skip link, navigation, language, sign out, offline banner. */
export function AppShell({ session, onSignOut }: { session: Session; onSignOut(): void }) {
  const { t } = useI18n();
  return (
    <div className="app-shell">
      <a href="#main" className="skip-link">{t('app.skipToContent')}</a>
      <header className="top-bar">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.main')}>
          <ul>
            <li><NavLink to="/" end>{t('nav.chat')}</NavLink></li>
            {can(session, ...CONSOLE_ABILITIES) && <li><NavLink to="/console">{t('nav.console')}</NavLink></li>}
            {can(session, ...ADMIN_ABILITIES) && <li><NavLink to="/admin">{t('nav.admin')}</NavLink></li>}
          </ul>
        </nav>
        <span className="who">{t('nav.signedInAs', { name: session.user.display_name })}</span>
        <PushToggle />
        <LocalePicker />
        <button type="button" onClick={onSignOut}>{t('nav.signOut')}</button>
      </header>
      <OfflineBanner />
      <Outlet />
    </div>
  );
}
