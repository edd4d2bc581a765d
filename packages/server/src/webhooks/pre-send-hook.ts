import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { PreSendHookAnswer } from '@switchboard/protocol';
import { AppError } from '../core/errors.js';
import type { Conversation, Json, User } from '../core/model.js';
import { compileValidator } from '../core/validation.js';
import { signedPost } from './signed-post.js';
import { webhookHeaders } from './webhook-signer.js';

/** The message as the sender asked for it, before anything is written. */
export interface PreSendDraft {
  readonly kind: string;
  readonly content: string;
  readonly metadata: Json;
  readonly replyTo: string | null;
  readonly clientId: string | null;
  readonly attachmentIds: readonly string[];
}

/** What the send goes on with: the draft's content and metadata, as the hook left them. */
export interface PreSendOutcome {
  readonly content: string;
  readonly metadata: Json;
}

/** What `MessageService.send` asks before the commit; absent when no hook is configured. */
export interface PreSendCheck {
  /** Resolves what to store, or rejects with `rejected_by_hook` (or `hook_unavailable` when failing closed). */
  vet(draft: PreSendDraft, sender: User, conversation: Pick<Conversation, 'id' | 'type' | 'status' | 'createdBy'>): Promise<PreSendOutcome>;
}

export interface PreSendHookOptions {
  readonly url: string;
  /** `whsec_…`: the call is signed like a webhook delivery. */
  readonly secret: string;
  readonly timeoutMs: number;
  /** `open`: a hook that fails or is late lets the message through; `closed`: the send is refused. */
  readonly failure: 'open' | 'closed';
  readonly logger: Pick<Logger, 'warn'>;
}

const validAnswer = compileValidator(PreSendHookAnswer);

/**
 * The operator's pre-send hook: `POST url {draft, sender, conversation}`, signed with the
 * Standard Webhooks headers, answered `{action: allow|reject|modify, content?, metadata?,
 * reason?}` within `timeoutMs`. A hook that times out, fails, or answers anything else counts
 * as down: the send goes on (`open`, the default: a driver's emergency message is never lost to
 * a hook outage) or is refused with `hook_unavailable` (`closed`). The hook is the operator's
 * own service, so it may live on a private address.
 */
export class PreSendHook implements PreSendCheck {
  constructor(private readonly options: PreSendHookOptions) {}

  async vet(draft: PreSendDraft, sender: User, conversation: Pick<Conversation, 'id' | 'type' | 'status' | 'createdBy'>): Promise<PreSendOutcome> {
    const answer = await this.ask(draft, sender, conversation);
    if (answer === undefined) {
      if (this.options.failure === 'closed') throw new AppError('hook_unavailable');
      return { content: draft.content, metadata: draft.metadata };
    }
    if (answer.action === 'reject') throw new AppError('rejected_by_hook', answer.reason ?? 'The message was rejected', { reason: answer.reason ?? null });
    if (answer.action === 'allow') return { content: draft.content, metadata: draft.metadata };
    return { content: answer.content ?? draft.content, metadata: (answer.metadata as Json | undefined) ?? draft.metadata };
  }

  /** The hook's answer, or `undefined` when it had none worth reading (logged). */
  private async ask(draft: PreSendDraft, sender: User, conversation: Pick<Conversation, 'id' | 'type' | 'status' | 'createdBy'>): Promise<PreSendHookAnswer | undefined> {
    const body = JSON.stringify({
      draft: { kind: draft.kind, content: draft.content, metadata: draft.metadata, reply_to: draft.replyTo, client_id: draft.clientId, attachment_ids: draft.attachmentIds },
      sender: { id: sender.id, display_name: sender.displayName, roles: sender.roles },
      conversation: { id: conversation.id, type: conversation.type, status: conversation.status, created_by: conversation.createdBy },
    });
    const context = { conversationId: conversation.id, senderId: sender.id, failure: this.options.failure };
    try {
      const answer = await signedPost(this.options.url, body, { headers: webhookHeaders(this.options.secret, `msg_${randomUUID()}`, body), timeoutMs: this.options.timeoutMs, allowPrivate: true });
      if (answer.status < 200 || answer.status >= 300) {
        this.options.logger.warn({ ...context, status: answer.status }, 'the pre-send hook answered an error');
        return undefined;
      }
      const checked = validAnswer(JSON.parse(answer.body) as unknown);
      if (!checked.ok) {
        this.options.logger.warn({ ...context, problems: checked.details }, 'the pre-send hook answered something else than {action, content?, metadata?, reason?}');
        return undefined;
      }
      return checked.value as PreSendHookAnswer;
    } catch (err) {
      this.options.logger.warn({ ...context, err }, 'the pre-send hook did not answer');
      return undefined;
    }
  }
}
