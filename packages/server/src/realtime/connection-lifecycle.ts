import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { topics, type DomainEvent } from '../bus/domain-event.js';
import type { UserActor } from '../core/actor.js';
import { isAppError } from '../core/errors.js';
import type { Metrics } from '../ops/metrics.js';
import type { EdgeServices } from '../edge-services.js';
import { FixedDeadlines, InstantDeadlines } from '../core/deadlines.js';
import { OriginAllowList } from '../core/origin-allow-list.js';
import { AddressConnections, clientAddress, proxyTrust, type ProxyTrust } from './address-connections.js';
import { Hub, type Subscriber } from './hub.js';

/** Why the server ends a connection; each gateway renders it in its own protocol. */
export type EndReason = 'session_ended' | 'token_expired' | 'slow_consumer' | 'keepalive_timeout' | 'shutdown';

/** Why a connection is refused before it opens. */
export type Refusal = 'unauthenticated' | 'invalid_token' | 'too_many_connections' | 'unavailable';

/** Why a connection is turned away as it arrives, before its handshake completes. */
export type ArrivalRefusal = 'origin_not_allowed' | 'too_many_from_address';

/**
 * A connection that has arrived (an upgrade, an Engine.IO handshake) and is not admitted yet: it
 * holds a place in its address's count, and is closed unless admitted within `authTimeoutMs`.
 */
export interface Arrival {
  /** Authentication succeeded: the deadline no longer applies. */
  admitted(): void;
  /** The transport closed: gives its place back. Idempotent. */
  left(): void;
}

export class AdmissionRefused extends Error {
  constructor(
    readonly reason: Refusal,
    readonly underlying?: unknown,
  ) {
    super(reason);
    this.name = 'AdmissionRefused';
  }
}

/** What the lifecycle needs of a connection, whatever its transport. */
export interface LiveConnection extends Subscriber {
  /** Replaced when the user's roles change, so every later check sees the new ones. */
  actor: UserActor;
  /** Conversations the user takes part in, followed by this connection. */
  readonly conversations: Set<string>;
  /** False after a keepalive ping until the peer answers. */
  alive: boolean;
  /** Bytes written to the connection that the peer has not read yet. */
  bufferedBytes(): number;
}

/**
 * An arrival's place in its address's count and on the authentication deadline: one small
 * object per connection instead of closures and a timer of its own.
 */
class PendingArrival implements Arrival {
  /** Until admitted: closes the transport when the deadline passes. */
  expire: (() => void) | undefined;
  private gone = false;

  constructor(
    private readonly deadlines: FixedDeadlines<PendingArrival>,
    private readonly addresses: AddressConnections,
    /** The place taken in the address's count; none when connections per address are not capped. */
    private readonly address: string | undefined,
    expire: () => void,
  ) {
    this.expire = expire;
    deadlines.add(this);
  }

  admitted(): void {
    this.deadlines.delete(this);
    this.expire = undefined;
  }

  left(): void {
    this.admitted();
    if (this.gone) return;
    this.gone = true;
    if (this.address !== undefined) this.addresses.release(this.address);
  }
}

/** Conversations a connection follows from the start; older ones are reached by sync. */
const FOLLOWED_AT_CONNECT = 1000;

/**
 * The life of a real-time connection, the same on every gateway (template method): arrival
 * (origin allow-list, per-address cap, authentication deadline), admission (token, per-user
 * cap), registration (user topic, the user's conversations, presence), the
 * token's expiry, keepalive, the bounded send buffer, and following what changes while it is
 * open: sessions ended, roles changed, the user added to or removed from a conversation.
 * A gateway subclass decodes frames, renders events and closes in its own protocol; nothing else.
 */
export abstract class ConnectionLifecycle<C extends LiveConnection> {
  protected readonly hub: Hub<C>;
  /** The browser origins real-time handshakes accept (`CORS_ORIGINS`), as REST's CORS does. */
  protected readonly origins: OriginAllowList;
  /** Shared with the node's other gateways: the per-address cap counts them all. */
  private readonly addresses: AddressConnections;
  /** The proxies whose X-Forwarded-For names the client (`TRUST_PROXY`). */
  private readonly proxies: ProxyTrust;
  private readonly open = new Set<C>();
  /** Connections arrived and not admitted yet, closed when `authTimeoutMs` passes. */
  private readonly unadmitted: FixedDeadlines<PendingArrival>;
  /** Open connections by the instant their token ends (`exp`), on one timer. */
  private readonly expiries = new InstantDeadlines<C>((connection) => this.end(connection, 'token_expired'));
  private readonly keepalive: NodeJS.Timeout | undefined;

  protected constructor(
    protected readonly services: EdgeServices,
    protected readonly metrics: Metrics,
    /** Label in logs and metrics (`native`, `socket.io`…). */
    protected readonly gateway: string,
    options: { readonly keepalive: boolean },
  ) {
    this.hub = new Hub(services.events, (event, topic, subscribers) => this.dispatch(event, topic, subscribers));
    this.origins = new OriginAllowList(services.config.corsOrigins);
    this.addresses = AddressConnections.of(services);
    this.proxies = proxyTrust(services.config.trustProxy);
    this.unadmitted = new FixedDeadlines(services.config.authTimeoutMs, (arrival) => {
      const expire = arrival.expire;
      if (!expire) return;
      this.metrics.connectionRefusals.inc({ gateway: this.gateway, reason: 'auth_timeout' });
      expire();
    });
    if (options.keepalive) {
      this.keepalive = setInterval(() => this.sweep(), services.config.keepaliveSeconds * 1000);
      this.keepalive.unref();
    }
  }

  protected get logger(): Logger {
    return this.services.logger;
  }

  /** Open connections on this node. */
  get size(): number {
    return this.open.size;
  }

  /** Renders an event for this node's subscribers of a topic, in the gateway's protocol. */
  protected abstract render(event: DomainEvent, topic: string, subscribers: ReadonlySet<C>): void;
  /** Ends the connection the way its protocol says (a final frame, a close code). Idempotent. */
  protected abstract end(connection: C, reason: EndReason): void;
  /** Sends a keepalive ping; the peer's answer sets `alive`. */
  protected abstract ping(connection: C): void;
  /** The user's roles changed (`actor` is already new): drop what the new roles may not have. */
  protected abstract rolesChanged(connection: C): Promise<void>;
  /** The user was added to or removed from a conversation this connection now (un)follows. */
  protected abstract membershipChanged(connection: C, conversationId: string, joined: boolean, by: string | null): void;

  /**
   * What would turn a connection away before its handshake: a browser page of an origin the
   * allow-list does not name, or an address already holding `maxConnectionsPerAddress` on this
   * node. Takes no place: for early refusals (Engine.IO's `allowRequest`). Counted in metrics.
   */
  protected refusalOf(request: IncomingMessage): ArrivalRefusal | undefined {
    const refusal = this.check(request);
    if (refusal !== undefined) this.metrics.connectionRefusals.inc({ gateway: this.gateway, reason: refusal });
    return refusal;
  }

  /**
   * A connection arrived, unauthenticated. Unless refused (see `refusalOf`), it takes a place in
   * its address's count until `left()`, and `expire` is called to close it if it is not
   * `admitted()` within `authTimeoutMs`: an unauthenticated socket costs a descriptor and
   * memory and proves nothing, so it may not linger. The gateway calls `left()` when its
   * transport closes, whatever the reason.
   */
  protected arrive(request: IncomingMessage, expire: () => void): Arrival | ArrivalRefusal {
    const max = this.services.config.maxConnectionsPerAddress;
    // Without a cap there is nothing to count, and no reason to ask the socket for its peer.
    const address = max > 0 ? clientAddress(request, this.proxies) : undefined;
    const refusal = this.origins.allowsHandshake(request.headers) ? undefined : 'origin_not_allowed';
    if (refusal !== undefined || (address !== undefined && !this.addresses.take(address, max))) {
      const reason = refusal ?? 'too_many_from_address';
      this.metrics.connectionRefusals.inc({ gateway: this.gateway, reason });
      return reason;
    }
    return new PendingArrival(this.unadmitted, this.addresses, address, expire);
  }

  private check(request: IncomingMessage): ArrivalRefusal | undefined {
    if (!this.origins.allowsHandshake(request.headers)) return 'origin_not_allowed';
    const max = this.services.config.maxConnectionsPerAddress;
    if (max > 0 && this.addresses.full(clientAddress(request, this.proxies), max)) return 'too_many_from_address';
    return undefined;
  }

  /**
   * Checks a connection's credential and the user's connection cap (across nodes and gateways).
   * Throws `AdmissionRefused`; a store outage is `unavailable`, never a bad token.
   */
  protected async admit(token: string | undefined): Promise<UserActor> {
    if (!token) throw new AdmissionRefused('unauthenticated');
    let actor: UserActor;
    try {
      actor = await this.services.auth.authenticate(token);
    } catch (error) {
      throw new AdmissionRefused(isAppError(error) && error.code === 'store_unavailable' ? 'unavailable' : 'invalid_token', error);
    }
    if ((await this.services.presence.connectionCount(actor.user.id)) >= this.services.config.maxConnectionsPerUser) {
      throw new AdmissionRefused('too_many_connections');
    }
    return actor;
  }

  /** Starts following the user, their conversations and presence; arms the token's expiry. */
  protected async register(connection: C): Promise<void> {
    const { actor } = connection;
    this.open.add(connection);
    this.metrics.connections.inc({ gateway: this.gateway });
    this.hub.add(connection, topics.user(actor.user.id));
    this.followModeration(connection);
    for (const c of await this.services.conversations.followedBy(actor, FOLLOWED_AT_CONNECT)) this.follow(connection, c.id, c.lastSeq);
    await this.services.presence.connected(actor.user.id, connection.id);
    this.armExpiry(connection);
  }

  /** Forgets a closed connection; safe to call more than once. */
  protected async unregister(connection: C): Promise<void> {
    if (!this.open.delete(connection)) return;
    const exp = connection.actor.token.exp;
    if (exp !== undefined) this.expiries.delete(connection, exp * 1000);
    this.metrics.connections.dec({ gateway: this.gateway });
    this.hub.removeAll(connection);
    await this.services.presence.disconnected(connection.actor.user.id, connection.id).catch((err: unknown) => this.logger.warn({ err, gateway: this.gateway }, 'presence: disconnect not recorded'));
  }

  /** Follows a conversation the user takes part in. Gateways that render by room override it. */
  protected follow(connection: C, conversationId: string, lastSeq?: number): void {
    connection.conversations.add(conversationId);
    this.hub.add(connection, topics.conversation(conversationId), lastSeq);
  }

  protected unfollow(connection: C, conversationId: string): void {
    connection.conversations.delete(conversationId);
    this.hub.remove(connection, topics.conversation(conversationId));
  }

  /**
   * Ends a connection whose unread output passed `MAX_BUFFERED_BYTES`, for gateways whose
   * transport does not tell on its own (Socket.IO: after each emit). It recovers by
   * reconnecting and syncing.
   */
  protected checkBackpressure(connection: C): void {
    if (connection.bufferedBytes() > this.services.config.maxBufferedBytes) this.slowConsumer(connection);
  }

  /** The one way a slow consumer goes, whichever writer noticed: counted, then ended. */
  protected slowConsumer(connection: C): void {
    this.metrics.slowConsumers.inc({ gateway: this.gateway });
    this.end(connection, 'slow_consumer');
  }

  /** Logs and counts an event a gateway failed to render; the fan-out goes on for the others. */
  protected reportFailure(event: DomainEvent, topic: string, error: unknown): void {
    this.metrics.fanoutFailures.inc({ gateway: this.gateway, event: event.type });
    this.logger.error({ err: error, gateway: this.gateway, event: event.type, topic }, 'fan-out: rendering an event failed');
  }

  /** Moderators' connections hear of reports; following changes with the roles. */
  private followModeration(connection: C): void {
    if (this.services.moderation.isModerator(connection.actor)) this.hub.add(connection, topics.moderation);
    else this.hub.remove(connection, topics.moderation);
  }

  private dispatch(event: DomainEvent, topic: string, subscribers: ReadonlySet<C>): void {
    try {
      this.follows(event, subscribers);
      this.render(event, topic, audienceOf(event, subscribers));
    } catch (error) {
      this.reportFailure(event, topic, error);
    }
  }

  /** The lifecycle's own share of an event: what it changes about the connections themselves. */
  private follows(event: DomainEvent, subscribers: ReadonlySet<C>): void {
    switch (event.type) {
      case 'sessions.revoked':
        for (const c of [...subscribers]) {
          const { jti, iat } = c.actor.token;
          const ended = (event.jti !== undefined && jti === event.jti) || (event.validAfter !== undefined && (iat ?? 0) < event.validAfter);
          if (c.actor.user.id === event.userId && ended) this.end(c, 'session_ended');
        }
        return;
      case 'user.updated':
        for (const c of subscribers) {
          if (c.actor.user.id !== event.user.id) continue;
          c.actor = { ...c.actor, user: event.user };
          this.followModeration(c);
          this.rolesChanged(c).catch((error: unknown) => this.reportFailure(event, topics.user(event.user.id), error));
        }
        return;
      case 'conversation.created':
        for (const c of subscribers) {
          if (event.participantIds.includes(c.actor.user.id)) this.follow(c, event.conversation.id, event.firstMessage?.seq ?? event.conversation.lastSeq);
        }
        return;
      case 'participant.added':
      case 'participant.removed': {
        const joined = event.type === 'participant.added';
        for (const c of [...subscribers]) {
          if (c.actor.user.id !== event.userId || c.conversations.has(event.conversationId) === joined) continue;
          if (joined) this.follow(c, event.conversationId);
          else this.unfollow(c, event.conversationId);
          this.membershipChanged(c, event.conversationId, joined, event.by);
        }
        return;
      }
      default:
        return;
    }
  }

  /** A connection lives no longer than its token. */
  private armExpiry(connection: C): void {
    const exp = connection.actor.token.exp;
    if (exp !== undefined) this.expiries.add(connection, exp * 1000);
  }

  /** Drops peers that did not answer the last ping, then pings the rest. */
  private sweep(): void {
    for (const c of this.open) {
      if (!c.alive) {
        this.end(c, 'keepalive_timeout');
        void this.unregister(c);
        continue;
      }
      c.alive = false;
      this.ping(c);
    }
  }

  /** Ends every connection (clients reconnect elsewhere and sync) and stops the timers. */
  protected endAll(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.unadmitted.clear();
    this.expiries.clear();
    for (const c of this.open) this.end(c, 'shutdown');
  }
}

/**
 * The subscribers an event may reach: all of them, or only the connections of the users it is
 * meant for (`onlyTo`: a shadowed message and its edits). Gateways that render to their own
 * rooms ask `onlyTo` themselves.
 */
function audienceOf<C extends LiveConnection>(event: DomainEvent, subscribers: ReadonlySet<C>): ReadonlySet<C> {
  const onlyTo = 'onlyTo' in event ? event.onlyTo : undefined;
  if (onlyTo === undefined) return subscribers;
  return new Set([...subscribers].filter((c) => onlyTo.includes(c.actor.user.id)));
}
