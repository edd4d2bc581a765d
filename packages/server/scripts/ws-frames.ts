import { createInterface } from 'node:readline';
import WebSocket from 'ws';

/**
 * A terminal WebSocket client for trying the native protocol: logs in, connects, prints every
 * frame, and sends each line you type (a JSON frame) as is.
 *
 * @example npm run ws -- driver1@example.com
 */
const [email = 'driver1@example.com', password = 'password123', base = 'http://localhost:8000'] = process.argv.slice(2);

const login = await fetch(`${base}/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password }),
});
if (!login.ok) {
  console.error(`login failed: ${login.status} ${await login.text()}`);
  process.exit(1);
}
const { access_token: token } = (await login.json()) as { access_token: string };
const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/connect?token=${token}`);
ws.on('message', (data) => console.log(`< ${data.toString()}`));
ws.on('close', (code, reason) => {
  console.log(`closed ${code} ${reason.toString()}`);
  process.exit(0);
});
ws.on('open', () => {
  console.log(`connected as ${email}; type JSON frames, e.g. {"type":"get_active_conversations","data":{}}`);
  createInterface({ input: process.stdin }).on('line', (line) => line.trim() && ws.send(line.trim()));
});
