import { createClient, indexedDbOutbox, memoryOutbox, type Client, type StateChange } from '@switchboard/sdk';
import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';

const ClientContext = createContext<Client | null>(null);

interface LiveClientProviderProps {
  readonly url: string;
  readonly userId: string;
  readonly token: () => string | null;
  /** A token the server refused for good (revoked, expired): the app signs out. */
  readonly onTerminal?: () => void;
  readonly children: ReactNode;
}

/**
 * One SDK client per signed-in user, so its outbox (IndexedDB, named per user) survives reloads
 * and is never sent under someone else's name.
 */
export function LiveClientProvider({ url, userId, token, onTerminal, children }: LiveClientProviderProps) {
  const [client, setClient] = useState<Client | null>(null);
  useEffect(() => {
    const outbox = typeof indexedDB === 'undefined' ? memoryOutbox() : indexedDbOutbox(`switchboard-outbox:${userId}`);
    const created = createClient({ url, token: () => token() ?? '', outbox });
    const off = created.on('state', (change) => {
      if (change.state === 'closed' && change.error?.terminal) onTerminal?.();
    });
    created.connect().catch(() => {
      // Refused: the state listener above has already signed the user out.
    });
    setClient(created);
    return () => {
      off();
      created.close();
    };
    // The token is read through the callback at each attempt, so it is not a dependency.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url, userId]);
  if (!client) return null;
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useLiveClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useLiveClient outside LiveClientProvider');
  return client;
}

/** The connection's state, re-rendering on each change. */
export function useConnectionState(): StateChange {
  const client = useLiveClient();
  const [change, setChange] = useState<StateChange>({ state: client.state });
  useEffect(() => client.on('state', setChange), [client]);
  return change;
}

/** True while the browser says it has no network, as `navigator.onLine` tells it. */
export function useBrowserOnline(): boolean {
  return useSyncExternalStore(
    (notify) => {
      addEventListener('online', notify);
      addEventListener('offline', notify);
      return () => {
        removeEventListener('online', notify);
        removeEventListener('offline', notify);
      };
    },
    () => navigator.onLine,
  );
}
