import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.js';
import type { ConversationContext } from '../core/model.js';

/** What the host app said about one user and one of its objects. */
export type HostAnswer =
  | { readonly kind: 'allowed'; readonly role: string }
  | { readonly kind: 'denied' }
  /** The host knows no such object (it answered 404). */
  | { readonly kind: 'unknown' };

export interface HostAccessOptions {
  readonly url: string;
  /** HMAC-SHA256 key; the host recomputes the signature to know the call is ours. */
  readonly secret: string;
  /** How long an answer is reused, in ms (0: never). */
  readonly cacheMs: number;
  /** How long the host may take before it counts as down, in ms. */
  readonly timeoutMs: number;
  readonly logger: Pick<Logger, 'warn'>;
}

/** Header names of the signed call. */
export const HOST_ACCESS_HEADERS = { timestamp: 'x-switchboard-timestamp', signature: 'x-switchboard-signature' } as const;

/** Answers reused at most; beyond that the cache starts over (it is only a shortcut). */
const MAX_CACHED = 10_000;
/** A role as a participant row holds it. */
const ROLE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The signature of a call: hex HMAC-SHA256 of `<timestamp>.<body>`, sent as `sha256=<hex>`. The
 * timestamp (epoch seconds) is signed with the body, so a host can refuse a replayed call.
 */
export function signHostCall(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Asks the host app whether a user may enter the conversation of one of its objects (a trip, a
 * job, a bid): `POST url {user_id, context:{type, id}}` → `{allowed, role}`, or 404 for an object
 * it does not know. Answers are cached for `cacheMs`. A host that does not answer within
 * `timeoutMs`, fails, or answers something else is `host_unavailable` (503, retryable).
 */
export class HostAccess {
  private readonly cache = new Map<string, { readonly answer: HostAnswer; readonly until: number }>();

  constructor(private readonly options: HostAccessOptions) {}

  async ask(userId: string, context: ConversationContext): Promise<HostAnswer> {
    const key = `${context.type}\u0000${context.id}\u0000${userId}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.answer;
    const answer = await this.call(userId, context);
    if (this.options.cacheMs > 0) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, { answer, until: Date.now() + this.options.cacheMs });
    }
    return answer;
  }

  private async call(userId: string, context: ConversationContext): Promise<HostAnswer> {
    const body = JSON.stringify({ user_id: userId, context: { type: context.type, id: context.id } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let response: Response;
    let json: unknown;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [HOST_ACCESS_HEADERS.timestamp]: timestamp, [HOST_ACCESS_HEADERS.signature]: signHostCall(this.options.secret, timestamp, body) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (response.status === 404) {
        await response.body?.cancel();
        return { kind: 'unknown' };
      }
      if (!response.ok) throw new Error(`the host answered ${response.status}`);
      json = await response.json();
    } catch (error) {
      throw this.unavailable(context, error);
    }
    return this.answerOf(json, context);
  }

  private answerOf(json: unknown, context: ConversationContext): HostAnswer {
    const { allowed, role } = (typeof json === 'object' && json !== null ? json : {}) as { allowed?: unknown; role?: unknown };
    if (allowed === false) return { kind: 'denied' };
    if (allowed === true && typeof role === 'string' && ROLE_PATTERN.test(role)) return { kind: 'allowed', role };
    if (allowed === true && role === undefined) return { kind: 'allowed', role: 'member' };
    throw this.unavailable(context, new Error('the host answered without a boolean "allowed" and a valid "role"'));
  }

  private unavailable(context: ConversationContext, error: unknown): AppError {
    this.options.logger.warn({ err: error, context }, 'host access check failed');
    return new AppError('host_unavailable');
  }
}
