import nodemailer, { type Transporter } from 'nodemailer';
import { NotificationChannel, SENT, skipped, type ChannelDelivery, type ChannelOutcome } from './notification-channel.js';
import type { UnsubscribeLink } from './unsubscribe-link.js';
import type { UserRepository } from '../storage/store.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Missed-message email through `SMTP_URL`: one email per conversation and step, listing the
 * messages since the recipient's pointer with their senders, a link into the web app and an
 * unsubscribe link (also as `List-Unsubscribe`), as plain text and HTML. The
 * step's key is the Message-ID, so a step re-sent after a crash is recognisably the same mail.
 */
export class EmailChannel extends NotificationChannel {
  readonly name = 'email' as const;
  protected readonly configured: boolean;
  private readonly transport: Transporter | undefined;

  constructor(
    smtpUrl: string | undefined,
    private readonly from: string | undefined,
    private readonly unsubscribe: UnsubscribeLink,
    private readonly users: Pick<UserRepository, 'byId' | 'byIds'>,
  ) {
    super();
    this.configured = smtpUrl !== undefined && from !== undefined;
    this.transport = smtpUrl === undefined ? undefined : nodemailer.createTransport(smtpUrl);
  }

  protected async withAddress(userIds: readonly string[]): Promise<Set<string>> {
    return new Set((await this.users.byIds(userIds)).filter((user) => Boolean(user.email)).map((user) => user.id));
  }

  protected async send(delivery: ChannelDelivery): Promise<ChannelOutcome> {
    if (!delivery.user.email) return skipped('no_address');
    const title = this.title(delivery);
    const count = delivery.messages.length;
    const subject = `${count} new message${count > 1 ? 's' : ''}: ${title}`;
    const unsubscribe = this.unsubscribe.for(delivery.user.id);
    const lines = delivery.messages.map((m) => ({ who: m.senderName, text: this.preview(m), at: m.message.createdAt }));
    const text = [
      `You have ${count} unread message${count > 1 ? 's' : ''} in ${title}:`,
      '',
      ...lines.map((l) => `${l.who}: ${l.text}`),
      '',
      `Open the conversation: ${delivery.link}`,
      '',
      `Stop these emails: ${unsubscribe}`,
    ].join('\n');
    const html = [
      `<p>You have ${count} unread message${count > 1 ? 's' : ''} in <strong>${escapeHtml(title)}</strong>:</p>`,
      '<ul>',
      ...lines.map((l) => `<li><strong>${escapeHtml(l.who)}</strong>: ${escapeHtml(l.text)}</li>`),
      '</ul>',
      `<p><a href="${escapeHtml(delivery.link)}">Open the conversation</a></p>`,
      `<p style="font-size:small"><a href="${escapeHtml(unsubscribe)}">Stop these emails</a></p>`,
    ].join('\n');
    await this.transport!.sendMail({
      from: this.from,
      to: delivery.user.email,
      subject,
      text,
      html,
      messageId: `<${delivery.key.replace(/[^A-Za-z0-9._-]/g, '.')}@switchboard>`,
      list: { unsubscribe: { url: unsubscribe, comment: 'Stop notification emails' } },
    });
    return SENT;
  }

  close(): void {
    this.transport?.close();
  }
}
