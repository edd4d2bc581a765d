import { CLOSE_CODES } from '@switchboard/protocol/close-codes';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { replyError, SwitchboardError } from './errors.js';
import type { ConnectionState, ServerFrame, StateChange } from './types.js';

/** The part of the WebSocket API the SDK uses: the browser's, which `ws` also implements. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export type TokenSource = string | (() => string | Promise<string>);

export interface ConnectionOptions {
  /** The server's base URL, `https://chat.example.com` (or `wss://…`). */
  readonly url: string;
  /** The native WebSocket path (default `/v1/ws`). */
  readonly path?: string;
  /** The token, or a function asked again before every connection attempt. */
  readonly token: TokenSource;
  readonly WebSocket: WebSocketConstructor;
  readonly backoff?: BackoffOptions;
  /** Send a ping after this long without any frame (default 25 s). */
  readonly pingIntervalMs?: number;
  /** Give the link up when nothing arrived this long after that (default 10 s). */
  readonly pingTimeoutMs?: number;
  /** A request without an answer this long means the link is dead (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Authentication must complete within this (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Random source for the backoff jitter (tests). */
  readonly random?: () => number;
  /** Where `online` and `visibilitychange` are heard (default: the global object, if it has them). */
  readonly environment?: EnvironmentEvents;
}

/** The browser events that mean "try again now" (`window`, `document`). */
export interface EnvironmentEvents {
  addEventListener(type: 'online' | 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'online' | 'visibilitychange', listener: () => void): void;
  readonly visibilityState?: string;
}

export interface Session {
  readonly userId: string;
  readonly connectionId: string;
}

interface Waiting {
  resolve(reply: Record<string, unknown>): void;
  reject(error: SwitchboardError): void;
  timer: ReturnType<typeof setTimeout>;
}

interface ConnectionEvents {
  readonly state: StateChange;
  /** A new connection is authenticated (again): resume from here. */
  readonly open: Session;
  readonly frame: ServerFrame;
  readonly [event: string]: unknown;
}

/** Close codes after which the same token will not get in: stop instead of retrying. */
const AUTH_CLOSE = CLOSE_CODES.authFailed;
/** Two refusals in a row (the token function gave a new token that was refused too) end it. */
const MAX_AUTH_FAILURES = 2;
/** Our own close code when the SDK gives a link up (no ping answer, no reply). */
const DEAD_LINK = 4000;

/**
 * One logical connection over many sockets: the state machine, reconnects with full-jitter
 * backoff, liveness, and request/reply matching by `request_id`.
 *
 * Each socket gets a generation number; every callback checks it, so events of a socket that
 * was replaced (a late close, a reply after a timeout) can change nothing.
 */
export class Connection extends Emitter<ConnectionEvents> {
  private stateValue: ConnectionState = 'disconnected';
  private socket: WebSocketLike | undefined;
  private generation = 0;
  private attempt = 0;
  private authFailures = 0;
  private refusedToken: string | undefined;
  private authMessage: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private livenessTimer: ReturnType<typeof setInterval> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private lastFrameAt = 0;
  private pingSentAt: number | undefined;
  private nextRequestId = 0;
  private readonly waiting = new Map<string, Waiting>();
  private sessionValue: Session | undefined;
  private stopped = false;
  private terminalError: SwitchboardError | undefined;
  private readonly kick = () => this.retryNow();
  private readonly onVisibility = () => {
    if (this.options.environment?.visibilityState !== 'hidden') this.retryNow();
  };

  constructor(private readonly options: ConnectionOptions) {
    super();
    options.environment?.addEventListener('online', this.kick);
    options.environment?.addEventListener('visibilitychange', this.onVisibility);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get session(): Session | undefined {
    return this.stateValue === 'connected' ? this.sessionValue : undefined;
  }

  /** The error that closed the client for good, if one did. */
  get error(): SwitchboardError | undefined {
    return this.terminalError;
  }

  /** Starts connecting (and reconnecting, until `stop()` or a terminal error). */
  start(): void {
    if (this.stopped || this.socket || this.retryTimer) return;
    void this.open();
  }

  /** Closes for good. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detach();
    this.options.environment?.removeEventListener('online', this.kick);
    this.options.environment?.removeEventListener('visibilitychange', this.onVisibility);
    this.setState({ state: 'closed' });
  }

  /** A frame expecting a reply. Rejects with `offline` when there is no connection. */
  request(type: string, data: object, timeoutMs = this.options.requestTimeoutMs ?? 10_000): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (this.stateValue !== 'connected' || !socket) return Promise.reject(offline());
    const requestId = `r${++this.nextRequestId}`;
    const generation = this.generation;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new SwitchboardError('timeout', `No answer to ${type} within ${timeoutMs} ms`, { retryable: true }));
        // No answer while the socket looks open: the link is dead or the server stuck. A fresh
        // connection (and a resync) is the way out; the outbox resends with the same client_id.
        if (generation === this.generation) this.giveUp('No answer from the server');
      }, timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer });
      try {
        socket.send(JSON.stringify({ type, data, request_id: requestId }));
      } catch {
        // Closing under us: the close event follows and resumes everything on the next socket.
        clearTimeout(timer);
        this.waiting.delete(requestId);
        reject(offline());
      }
    });
  }

  /** A frame that needs no reply (typing). Dropped when offline: it would be stale anyway. */
  notify(type: string, data: object): void {
    if (this.stateValue !== 'connected') return;
    try {
      this.socket?.send(JSON.stringify({ type, data }));
    } catch {
      // Closing under us: a typing frame is not worth keeping.
    }
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ state: 'connecting' });
    let token: string;
    try {
      token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch (error) {
      if (generation !== this.generation || this.stopped) return;
      return this.scheduleRetry({ code: 'token_unavailable', message: `The token function failed: ${String(error)}`, terminal: false });
    }
    if (generation !== this.generation || this.stopped) return;
    if (this.refusedToken !== undefined && token === this.refusedToken) {
      return this.terminate(new SwitchboardError('invalid_token', this.authMessage ?? 'Invalid token', { terminal: true }));
    }
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(socketUrl(this.options.url, this.options.path ?? '/v1/ws'), ['bearer', token]);
    } catch (error) {
      return this.terminate(new SwitchboardError('bad_request', `Cannot open a WebSocket to ${this.options.url}: ${String(error)}`, { terminal: true }));
    }
    this.socket = socket;
    this.authMessage = undefined;
    socket.onmessage = (event) => generation === this.generation && this.received(event.data);
    socket.onclose = (event) => generation === this.generation && this.closed(event.code, event.reason, token);
    socket.onerror = () => {};
    this.connectTimer = setTimeout(() => generation === this.generation && this.giveUp('Authentication did not complete in time'), this.options.connectTimeoutMs ?? 10_000);
  }

  private received(data: unknown): void {
    this.lastFrameAt = Date.now();
    this.pingSentAt = undefined;
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as Record<string, unknown>;
    } catch {
      return;
    }
    const requestId = typeof frame.request_id === 'string' ? frame.request_id : undefined;
    const waiting = requestId === undefined ? undefined : this.waiting.get(requestId);
    if (waiting) {
      this.waiting.delete(requestId!);
      clearTimeout(waiting.timer);
      if (frame.success === false || frame.type === 'error') waiting.reject(replyError({ ...frame, error: frame.error ?? frame.message }));
      else waiting.resolve(frame);
      return;
    }
    if (typeof frame.type !== 'string') return;
    if (frame.type === 'authenticated') return this.authenticated(frame);
    if (frame.type === 'auth_error') {
      this.authMessage = typeof frame.message === 'string' ? frame.message : 'Invalid token';
      return;
    }
    if (frame.type === 'pong') return;
    this.emit('frame', frame as ServerFrame);
  }

  private authenticated(frame: Record<string, unknown>): void {
    clearTimeout(this.connectTimer);
    this.attempt = 0;
    this.authFailures = 0;
    this.refusedToken = undefined;
    this.sessionValue = { userId: String(frame.user_id), connectionId: String(frame.connection_id) };
    this.startLiveness();
    this.setState({ state: 'connected' });
    this.emit('open', this.sessionValue);
  }

  private closed(code: number, reason: string, token: string): void {
    this.detach();
    if (this.stopped) return;
    if (code === AUTH_CLOSE) {
      this.authFailures++;
      this.refusedToken = token;
      const message = this.authMessage ?? (reason || 'Invalid token');
      if (this.authFailures >= MAX_AUTH_FAILURES) return this.terminate(new SwitchboardError('invalid_token', message, { terminal: true }));
      // Ask the token function once more at once: a refreshed token gets in, the same one ends it.
      this.setState({ state: 'disconnected', error: { code: 'invalid_token', message, terminal: false }, retryInMs: 0 });
      void this.open();
      return;
    }
    this.scheduleRetry({ code: closeReason(code), message: reason || `Connection closed (${code})`, terminal: false });
  }

  /** The link is taken for dead: drop it at once rather than wait for a close that may never come. */
  private giveUp(message: string): void {
    const socket = this.socket;
    this.detach();
    try {
      socket?.close(DEAD_LINK, message);
    } catch {
      // Closing a socket that never opened can throw in some implementations; it is gone either way.
    }
    if (!this.stopped) this.scheduleRetry({ code: 'timeout', message, terminal: false });
  }

  private scheduleRetry(error: { code: string; message: string; terminal: boolean }): void {
    const delay = backoffDelay(this.attempt++, this.options.backoff, this.options.random);
    this.setState({ state: 'disconnected', error, retryInMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, delay);
  }

  /** The network came back or the page became visible: skip the rest of the wait. */
  private retryNow(): void {
    if (this.stopped || this.stateValue !== 'disconnected' || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.open();
  }

  private terminate(error: SwitchboardError): void {
    this.terminalError = error;
    this.stopped = true;
    this.detach();
    this.setState({ state: 'closed', error: { code: error.code, message: error.message, terminal: true } });
  }

  /** Forgets the current socket: bumps the generation, clears timers, fails waiting requests. */
  private detach(): void {
    this.generation++;
    const socket = this.socket;
    this.socket = undefined;
    this.sessionValue = undefined;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      if (this.stopped && socket.readyState <= 1) socket.close(1000, 'client closed');
    }
    clearTimeout(this.connectTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    clearInterval(this.livenessTimer);
    this.livenessTimer = undefined;
    const error = this.stopped ? new SwitchboardError('client_closed', 'The client was closed') : offline();
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.waiting.delete(id);
    }
  }

  private startLiveness(): void {
    const interval = this.options.pingIntervalMs ?? 25_000;
    const timeout = this.options.pingTimeoutMs ?? 10_000;
    const generation = this.generation;
    this.lastFrameAt = Date.now();
    this.livenessTimer = setInterval(() => {
      if (generation !== this.generation) return;
      const now = Date.now();
      if (this.pingSentAt !== undefined && now - this.pingSentAt >= timeout) return this.giveUp('No answer to ping');
      if (this.pingSentAt === undefined && now - this.lastFrameAt >= interval) {
        this.pingSentAt = now;
        try {
          this.socket?.send(JSON.stringify({ type: 'ping', timestamp: now }));
        } catch {
          // Closing under us: the close event replaces the socket.
        }
      }
    }, Math.max(10, Math.min(interval, timeout) / 4));
  }

  private setState(change: StateChange): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = change.state;
    this.emit('state', change);
  }
}

function offline(): SwitchboardError {
  return new SwitchboardError('offline', 'Not connected', { retryable: true });
}

function socketUrl(base: string, path: string): string {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}

function closeReason(code: number): string {
  switch (code) {
    case CLOSE_CODES.slowConsumer:
      return 'slow_consumer';
    case CLOSE_CODES.tooManyConnections:
      return 'too_many_connections';
    case CLOSE_CODES.tryAgainLater:
      return 'store_unavailable';
    case CLOSE_CODES.goingAway:
      return 'server_restarting';
    case CLOSE_CODES.flooding:
      return 'flooding';
    default:
      return 'connection_lost';
  }
}
