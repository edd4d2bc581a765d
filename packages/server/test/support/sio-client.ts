import { io, type Socket } from 'socket.io-client';

type Payload = Record<string, any>;

/** A real Socket.IO client that records every event, with waits like the WebSocket test client. */
export class TestSioClient {
  readonly events: { event: string; data: Payload }[] = [];
  private readonly consumed = new Set<object>();

  private constructor(readonly socket: Socket) {
    socket.onAny((event: string, data: Payload) => this.events.push({ event, data }));
  }

  /** Connects with `auth.token` (or headers) on the default path; resolves once connected. */
  static async connect(baseUrl: string, token: string | undefined, options: { path?: string; headers?: Record<string, string> } = {}): Promise<TestSioClient> {
    const socket = io(baseUrl, {
      path: options.path ?? '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(token !== undefined && { auth: { token } }),
      ...(options.headers && { extraHeaders: options.headers }),
    });
    const client = new TestSioClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    return client;
  }

  /** Emits and waits for the acknowledgement. */
  request(event: string, data: unknown): Promise<Payload> {
    return this.socket.timeout(5000).emitWithAck(event, data);
  }

  emit(event: string, data: unknown): void {
    this.socket.emit(event, data);
  }

  /** The first not-yet-consumed event of that name (already received or future) that matches. */
  async next(event: string, match: (data: Payload) => boolean = () => true, timeoutMs = 5000): Promise<Payload> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.event === event && !this.consumed.has(e) && match(e.data));
      if (found) {
        this.consumed.add(found);
        return found.data;
      }
      if (Date.now() > deadline) throw new Error(`no ${event} within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async nothing(event: string, match: (data: Payload) => boolean = () => true, windowMs = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, windowMs));
    const found = this.events.find((e) => e.event === event && !this.consumed.has(e) && match(e.data));
    if (found) throw new Error(`unexpected ${event}: ${JSON.stringify(found.data)}`);
  }

  close(): void {
    this.socket.disconnect();
  }
}
