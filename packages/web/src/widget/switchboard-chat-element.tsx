import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRoot, type Root } from 'react-dom/client';
import { ApiClient } from '../api/api-client.js';
import { ApiProvider } from '../api/api-provider.js';
import { format, I18nProvider, CATALOGS, isLocale } from '../i18n/i18n-provider.js';
import { LiveClientProvider } from '../live/live-client-provider.js';
import { parseContext } from './parse-context.js';
import { tokenUserId } from './token-user.js';
import { WidgetChat } from './widget-chat.js';

/**
 * `<switchboard-chat context="trip:123" token="…">`: the chat of one host object, in a shadow
 * root so the host page's styles and ours never meet. Attributes: `context` (type:id), `token`
 * (a JWT the host app minted for its user; set it again to refresh), `server` (default: where
 * widget.js came from), `locale` (`en`, `ru`), `title`.
 */
export function defineSwitchboardChat(defaultServer: string, css: string): void {
  if (customElements.get('switchboard-chat')) return;
  class SwitchboardChatElement extends HTMLElement {
    static observedAttributes = ['context', 'token', 'server', 'locale', 'title'];
    private root: Root | null = null;
    private readonly queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 5_000 } } });

    connectedCallback(): void {
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      if (!this.root) {
        const style = document.createElement('style');
        style.textContent = css;
        const mount = document.createElement('div');
        shadow.append(style, mount);
        this.root = createRoot(mount);
      }
      this.render();
    }

    disconnectedCallback(): void {
      this.root?.unmount();
      this.root = null;
      this.shadowRoot?.replaceChildren();
    }

    attributeChangedCallback(): void {
      if (this.root) this.render();
    }

    private render(): void {
      const token = this.getAttribute('token');
      const server = this.getAttribute('server') ?? defaultServer;
      const context = parseContext(this.getAttribute('context'));
      const localeAttr = this.getAttribute('locale');
      const locale = isLocale(localeAttr) ? localeAttr : 'en';
      const userId = token ? (tokenUserId(token) ?? 'widget') : null;
      if (!token || !context || !userId) {
        this.root!.render(<p className="widget-problem">{format(CATALOGS[locale], 'widget.noToken')}</p>);
        return;
      }
      const api = new ApiClient({ baseUrl: server, token: () => this.getAttribute('token') });
      this.root!.render(
        <I18nProvider locale={locale}>
          <QueryClientProvider client={this.queryClient}>
            <ApiProvider api={api}>
              <LiveClientProvider url={server} userId={userId} token={() => this.getAttribute('token')}>
                <WidgetChat context={context} title={this.getAttribute('title')} />
              </LiveClientProvider>
            </ApiProvider>
          </QueryClientProvider>
        </I18nProvider>,
      );
    }
  }
  customElements.define('switchboard-chat', SwitchboardChatElement);
}
