import type { Actor } from '../core/actor.js';
import { AppError } from '../core/errors.js';
import type { Policy } from '../policy/policy.js';
import type { Store, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '../storage/store.js';
import { timeOrderedId } from '../storage/time-ordered-id.js';
import { DELIVERY_JOB_KIND } from './webhook-delivery.job.js';
import type { WebhookEvents } from './webhook-events.js';
import { generateWebhookSecret } from './webhook-signer.js';
import { checkTarget, PrivateTargetError } from './target-address.js';

export interface NewEndpointInput {
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string | null;
}

export interface EndpointPatchInput {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string | null;
  /** True re-enables a disabled endpoint; false disables it. */
  readonly enabled?: boolean;
}

/** Registered endpoints at most: each one costs every matching change a delivery. */
const MAX_ENDPOINTS = 100;

/**
 * Webhook endpoints and their deliveries, for the host app's backend (an API key) and for
 * administrators (`users.manage`). A target whose host resolves to a private or loopback
 * address is refused unless `allowPrivate`.
 */
export class WebhookService {
  constructor(
    private readonly store: Store,
    private readonly policy: Policy,
    private readonly events: WebhookEvents,
    private readonly options: { readonly allowPrivate: boolean; readonly jobsWritten: () => void },
  ) {}

  /** Registers an endpoint; the answer is the only time its secret is shown (until a rotation). */
  async create(actor: Actor, input: NewEndpointInput): Promise<WebhookEndpoint> {
    this.requireManager(actor);
    if ((await this.store.webhooks.endpoints()).length >= MAX_ENDPOINTS) throw new AppError('conflict', `At most ${MAX_ENDPOINTS} webhook endpoints may be registered`);
    await this.checkUrl(input.url);
    const endpoint = await this.store.webhooks.createEndpoint({ id: `wh_${timeOrderedId()}`, url: input.url, events: unique(input.events), description: input.description ?? null, secret: generateWebhookSecret() });
    await this.events.refresh();
    return endpoint;
  }

  async list(actor: Actor): Promise<WebhookEndpoint[]> {
    this.requireManager(actor);
    return this.store.webhooks.endpoints();
  }

  async get(actor: Actor, id: string): Promise<WebhookEndpoint> {
    this.requireManager(actor);
    return this.existing(id);
  }

  async update(actor: Actor, id: string, patch: EndpointPatchInput): Promise<WebhookEndpoint> {
    this.requireManager(actor);
    await this.existing(id);
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    const updated = await this.store.webhooks.updateEndpoint(id, {
      ...(patch.url !== undefined && { url: patch.url }),
      ...(patch.events !== undefined && { events: unique(patch.events) }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled, disabledReason: 'disabled by an administrator' }),
    });
    if (!updated) throw notFound();
    await this.events.refresh();
    return updated;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    this.requireManager(actor);
    if (!(await this.store.webhooks.deleteEndpoint(id))) throw notFound();
    await this.events.refresh();
  }

  /** Replaces the signing secret at once; every attempt from now on is signed with the new one. */
  async rotateSecret(actor: Actor, id: string): Promise<WebhookEndpoint> {
    this.requireManager(actor);
    const updated = await this.store.webhooks.updateEndpoint(id, { secret: generateWebhookSecret() });
    if (!updated) throw notFound();
    return updated;
  }

  async deliveries(actor: Actor, id: string, query: { readonly status?: WebhookDeliveryStatus; readonly limit: number; readonly before?: string }): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
    this.requireManager(actor);
    await this.existing(id);
    const deliveries = await this.store.webhooks.deliveries(id, { ...query, limit: query.limit + 1 });
    const page = deliveries.slice(0, query.limit);
    return { deliveries: page, nextCursor: deliveries.length > query.limit ? page[page.length - 1]!.id : null };
  }

  /** Sends a delivery again with its id and body, on a fresh schedule. */
  async redeliver(actor: Actor, id: string, deliveryId: string): Promise<WebhookDelivery> {
    this.requireManager(actor);
    const endpoint = await this.existing(id);
    const delivery = await this.store.webhooks.delivery(deliveryId);
    if (!delivery || delivery.endpointId !== id) throw new AppError('not_found', 'No such delivery of this endpoint');
    if (endpoint.disabledAt !== null) throw new AppError('conflict', 'The endpoint is disabled; enable it first');
    const redelivered = await this.store.webhooks.redeliver(deliveryId, DELIVERY_JOB_KIND, new Date().toISOString());
    if (!redelivered) throw new AppError('conflict', 'The delivery is still being attempted');
    this.options.jobsWritten();
    return redelivered;
  }

  private async existing(id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.store.webhooks.endpoint(id);
    if (!endpoint) throw notFound();
    return endpoint;
  }

  private requireManager(actor: Actor): void {
    if (actor.kind === 'service') return;
    if (!this.policy.can({ kind: 'user', roles: actor.user.roles }, 'users.manage')) throw new AppError('forbidden', 'Managing webhooks needs an API key or the users.manage ability');
  }

  /** The target must resolve, and (unless allowed) only to public addresses. */
  private async checkUrl(url: string): Promise<void> {
    const parsed = new URL(url);
    if (parsed.username !== '' || parsed.password !== '') throw invalidUrl('must not carry credentials; authenticate the calls by their signature');
    try {
      await checkTarget(parsed, this.options.allowPrivate);
    } catch (err) {
      if (err instanceof PrivateTargetError) throw invalidUrl(`${err.message}; such targets are refused unless WEBHOOK_ALLOW_PRIVATE=true`);
      throw invalidUrl(`its host could not be resolved (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}

const unique = (events: readonly string[]) => [...new Set(events)];
const notFound = () => new AppError('not_found', 'No such webhook endpoint');
const invalidUrl = (message: string) => new AppError('validation_failed', `url ${message}`, [{ path: '/url', message }]);
