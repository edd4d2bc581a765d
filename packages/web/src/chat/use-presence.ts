import { useEffect, useState } from 'react';
import { useLiveClient } from '../live/live-client-provider.js';

/** Who is online among `userIds`: asked once per connection, then kept by presence events. */
export function usePresence(userIds: readonly string[]): ReadonlySet<string> {
  const client = useLiveClient();
  const [online, setOnline] = useState<ReadonlySet<string>>(new Set());
  const key = [...new Set(userIds)].sort().join(',');
  useEffect(() => {
    const ids = key === '' ? [] : key.split(',');
    const ask = () => {
      if (ids.length === 0 || client.state !== 'connected') return;
      client.request('get_presence', { user_ids: ids.slice(0, 200) }).then(
        (reply) => {
          const list = (reply.presence ?? reply.users ?? []) as { user_id: string; status: string }[];
          setOnline(new Set(list.filter((p) => p.status === 'online').map((p) => p.user_id)));
        },
        () => {},
      );
    };
    ask();
    const offs = [
      client.on('state', ({ state }) => state === 'connected' && ask()),
      client.on('presence', ({ userId, status }) =>
        setOnline((set) => {
          const next = new Set(set);
          if (status === 'online') next.add(userId);
          else next.delete(userId);
          return next;
        }),
      ),
    ];
    return () => offs.forEach((off) => off());
  }, [client, key]);
  return online;
}
