/**
 * The plain Socket.IO relay peer, run as a child process: rooms, no persistence, no auth.
 * `join` (with ack) joins a room; `msg` (room, payload, ack?) goes to the room's other members.
 * Prints `{"port": N}` once listening on 127.0.0.1.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, maxHttpBufferSize: 1_048_576 });

io.on('connection', (socket) => {
  socket.on('join', (room: unknown, ack?: unknown) => {
    if (typeof room === 'string') void socket.join(room);
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('msg', (room: unknown, payload: unknown, ack?: unknown) => {
    if (typeof room === 'string') socket.to(room).emit('msg', payload);
    if (typeof ack === 'function') ack();
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});

const stop = () => {
  io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
