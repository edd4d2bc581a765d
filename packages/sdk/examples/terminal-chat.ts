import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createClient, fileOutbox, type Conversation, type ConversationListing, type Message } from '@switchboard/sdk/node';

/**
 * A terminal chat on the SDK: signs in, lists your active conversations, follows one, prints
 * its messages as they come (and what was missed after a reconnect), and sends each line you
 * type. Sends made while the server is away are kept in a file and go out when it is back.
 *
 * @example npm run chat -- driver1@example.com
 */
const [email = 'driver1@example.com', password = 'password123', base = 'http://localhost:8000'] = process.argv.slice(2);

const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }).catch((error: unknown) => {
  console.error(`cannot reach ${base}: ${String(error)}`);
  process.exit(1);
});
if (!login.ok) {
  console.error(`sign-in failed: ${login.status} ${await login.text()}`);
  process.exit(1);
}
const { access_token: token, user } = (await login.json()) as { access_token: string; user: { id: string; display_name: string } };

const client = createClient({ url: base, token, outbox: fileOutbox(join(tmpdir(), `switchboard-chat-${user.id}.json`)) });
client.on('state', ({ state, error, retryInMs }) => {
  const why = error ? ` (${error.message})` : '';
  const when = retryInMs !== undefined ? `, retrying in ${(retryInMs / 1000).toFixed(1)} s` : '';
  console.log(`-- ${state}${why}${when}`);
  if (state === 'closed') process.exit(error?.terminal ? 1 : 0);
});
client.on('notification', (n) => console.log(`-- new in ${n.conversationId}: ${n.preview}`));
await client.connect();
console.log(`signed in as ${user.display_name}. /list, /open N, /history, /quit; any other line is sent.`);

let listing: ConversationListing[] = [];
let current: Conversation | undefined;
const names = new Map<string, string>();

const print = (m: Message) => {
  const who = m.sender_id === user.id ? 'you' : (names.get(m.sender_id ?? '') ?? m.sender_id ?? 'system');
  console.log(`[${m.seq}] ${who}: ${m.hidden ? '(hidden by a moderator)' : m.deleted_at ? '(deleted)' : m.content}`);
};

async function list(): Promise<void> {
  listing = await client.conversations();
  for (const c of listing) for (const p of c.participants) names.set(p.id, p.display_name);
  listing.forEach((c, i) => console.log(`${i + 1}. ${c.title ?? c.id} (${c.unread_count ?? 0} unread)`));
  if (listing.length === 0) console.log('no active conversations');
}

function open(target: string): void {
  const chosen = listing[Number(target) - 1]?.id ?? target;
  current?.leave();
  current = client.conversation(chosen);
  current.on('message', (m) => {
    print(m);
    current?.markRead(m.seq);
  });
  current.on('typing', (t) => t.isTyping && console.log(`-- ${names.get(t.userId) ?? t.userId} is typing…`));
  current.on('pending', (sends) => sends.filter((s) => s.status === 'failed').forEach((s) => console.log(`-- not sent (${s.error?.message}): ${s.draft.content}`)));
  console.log(`-- following ${chosen}`);
}

await list();
if (listing[0]) open('1');

createInterface({ input: process.stdin }).on('line', (raw) => {
  const line = raw.trim();
  if (!line) return;
  const [command, argument = ''] = line.split(/\s+(.*)/s);
  if (command === '/quit') return client.close();
  if (command === '/list') return void list().catch((e: unknown) => console.log(`-- ${String(e)}`));
  if (command === '/open') return open(argument);
  if (command === '/history') return void current?.history({ limit: 20 }).then((older) => older.forEach(print), (e: unknown) => console.log(`-- ${String(e)}`));
  if (!current) return console.log('-- /open a conversation first');
  current.send({ content: line }).catch((e: unknown) => console.log(`-- not sent: ${String(e)}`));
});
