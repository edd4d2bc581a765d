import type { UserJson } from '@switchboard/protocol';

/** Who is signed in: the token the API and the real-time connection take, and what they may do. */
export interface Session {
  readonly token: string;
  readonly user: UserJson;
  readonly abilities: readonly string[];
}

const STORAGE_KEY = 'switchboard-session';
type Listener = () => void;

/**
 * The signed-in session, kept in localStorage so a reload stays signed in, and shared by every
 * tab of the browser through the `storage` event.
 */
export class SessionStore {
  private current: Session | null;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly storage: Storage | undefined = globalThis.localStorage) {
    this.current = this.read();
    globalThis.addEventListener?.('storage', (event) => {
      if (event.key !== STORAGE_KEY) return;
      this.current = this.read();
      this.notify();
    });
  }

  get = (): Session | null => this.current;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(session: Session | null): void {
    this.current = session;
    if (session) this.storage?.setItem(STORAGE_KEY, JSON.stringify(session));
    else this.storage?.removeItem(STORAGE_KEY);
    this.notify();
  }

  private read(): Session | null {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      return raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      // A damaged entry is a signed-out browser, not a crash.
      return null;
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

export const sessionStore = new SessionStore();

export function can(session: Session | null, ...abilities: string[]): boolean {
  return session !== null && abilities.some((a) => session.abilities.includes(a));
}
