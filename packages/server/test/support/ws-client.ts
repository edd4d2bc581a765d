import WebSocket from 'ws';

type Frame = Record<string, any>;

/**
 * A real WebSocket client for tests: collects every frame, and waits for the next frame that
 * matches a predicate (frames already received count, each is consumed once).
 */
export class TestWsClient {
  readonly frames: Frame[] = [];
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly closeWaiters: ((c: { code: number; reason: string }) => void)[] = [];
  private cursor = new Set<Frame>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const index = this.waiters.findIndex((w) => w.match(frame));
      if (index >= 0) {
        const [waiter] = this.waiters.splice(index, 1);
        this.cursor.add(frame);
        waiter!.resolve(frame);
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.closeWaiters.splice(0)) w(this.closed);
    });
  }

  /** Connects to `ws://…/path?token=` and waits for the socket to open. */
  static async connect(baseUrl: string, token: string | undefined, options: { path?: string; headers?: Record<string, string>; protocols?: string[] } = {}): Promise<TestWsClient> {
    const path = options.path ?? '/v1/ws';
    const url = `${baseUrl.replace(/^http/, 'ws')}${path}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
    const ws = new WebSocket(url, options.protocols, { headers: options.headers });
    const client = new TestWsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects and waits for the `authenticated` frame. */
  static async authenticated(baseUrl: string, token: string, options: { path?: string } = {}): Promise<TestWsClient> {
    const client = await TestWsClient.connect(baseUrl, token, options);
    await client.next((f) => f.type === 'authenticated');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first not-yet-consumed frame (already received or future) that matches. The default wait
   * is generous because suites run side by side: a frame that crosses nodes can take seconds then.
   */
  next(match: (f: Frame) => boolean = () => true, timeoutMs = 15_000): Promise<Frame> {
    const seen = this.frames.find((f) => !this.cursor.has(f) && match(f));
    if (seen) {
      this.cursor.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (f: Frame) => (clearTimeout(timer), resolve(f)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends a `{type, data}` frame with a request id and waits for its reply. */
  async request(type: string, data: unknown = {}, timeoutMs = 5000): Promise<Frame> {
    const requestId = `${type}-${Math.random().toString(36).slice(2)}`;
    this.send({ type, data, request_id: requestId });
    return this.next((f) => f.request_id === requestId, timeoutMs);
  }

  /** Resolves when nothing matching arrives within the window (for "must not receive" checks). */
  async nothing(match: (f: Frame) => boolean, windowMs = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, windowMs));
    const found = this.frames.find((f) => !this.cursor.has(f) && match(f));
    if (found) throw new Error(`unexpected frame ${JSON.stringify(found)}`);
  }

  waitClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.closeWaiters.push((c) => (clearTimeout(timer), resolve(c)));
    });
  }

  close(): void {
    this.ws.close();
  }
}
