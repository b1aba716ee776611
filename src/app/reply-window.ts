/**
 * The outbox's check of a channel's free-form reply window (issue 18, item 1). A WeChat Service Account
 * may answer an owner only for 48 hours after their last message, at most 5 messages (3 within a minute
 * after a follow, a QR scan or a menu tap); revisits, progress updates and survey invitations usually
 * come later. Before the dispatcher sends to a channel that declares reply windows, it asks `check`:
 * inside, the message goes; outside — or when the platform refuses it all the same (45015, 45047) —
 * `fallback` sends the channel's notification form for the message's purpose (a template message), and
 * where none is configured puts a task "请电话联系业主" in the staff group with the owner's masked number,
 * what the message was about and what could not be sent. Either way the item is settled with a note
 * (never tried again), and nothing is dropped in silence.
 *
 * The window comes from durable data, so that a restart changes nothing: when the owner last wrote (or
 * followed, scanned, tapped) is read from the chat's log in the thread store, and how many messages went
 * since from the outbox's sent items. What the channel itself saw since it started (`replyWindow`) is
 * taken when it knows more (a message it received and the log does not hold yet, a part it sent).
 */
import type { ChannelSender, Delivery, ReplyWindowState } from '../core/ports/channels.js';
import type { OutboxItem, StoreTx } from '../core/ports.js';
import { maskPhone } from '../core/tickets/ticket.js';
import type { MessagePurpose, OutboundMessage } from '../core/types.js';
import type { AppContext } from './context.js';
import { formatBusinessTime } from './render.js';

/** The start of every note an item settled by this module carries (its `lastError`). */
export const WINDOW_NOTE = 'reply window';

/** Log entries read to find the owner's last message: more outbound ones than this mean the window is spent. */
const LOG_ENTRIES = 60;

/** Two records of one opening (the channel's clock and the log's) are this close. */
const SAME_OPENING_MS = 10_000;

/** Why a message is not sent free-form: no window open, or the open ones spent. */
export type Outside = 'closed' | 'quota';

/** What `fallback` did: settled the item itself, or a delivery outcome for the dispatcher to settle. */
export type FallbackOutcome = { settled: true } | { settled: false; delivery: Delivery };

type Context = Pick<AppContext, 'store' | 'clock' | 'log' | 'settings' | 'toStaff' | 't' | 'staffLocale'>;

/** See the module's comment. */
export class ReplyWindowGate {
  constructor(private readonly ctx: Context) {}

  /**
   * Whether `item` may go free-form now: undefined when it may (or its channel has no reply window),
   * otherwise why not. The whole message must fit: a text in parts is not sent half.
   */
  async check(sender: ChannelSender, item: OutboxItem): Promise<Outside | undefined> {
    const rules = sender.capabilities?.replyWindows;
    if (!rules || rules.length === 0) return undefined;
    const parts = sender.partsOf?.(item.action) ?? 1;
    if (parts === 0) return undefined;
    const now = this.ctx.clock.now().getTime();
    const state = await this.state(sender, item);
    let open = false;
    for (const rule of rules) {
      const at = rule.opensOn === 'message' ? state.lastMessageAt : state.lastEventAt;
      const used = rule.opensOn === 'message' ? state.sentSinceMessage : state.sentSinceEvent;
      if (!at || now - at.getTime() >= rule.lastsMs) continue;
      open = true;
      if (used + parts <= rule.maxMessages) return undefined;
    }
    return open ? 'quota' : 'closed';
  }

  /**
   * The chat's reply windows from durable data — the owner's last message and event in the thread's
   * log, the messages sent free-form since from the outbox — and the channel's own view where it knows more.
   */
  async state(sender: ChannelSender, item: OutboxItem): Promise<ReplyWindowState> {
    const { store } = this.ctx;
    const log = await store.listMessages(item.channel, item.chatId, LOG_ENTRIES);
    let lastMessageAt: Date | undefined;
    let lastEventAt: Date | undefined;
    for (const entry of log) {
      if (entry.direction !== 'in') continue;
      const opens = entry.messageId ? (sender.opensWindow?.(entry.messageId) ?? 'message') : 'message';
      if (opens === 'message') lastMessageAt = entry.at;
      else lastEventAt = entry.at;
    }
    const sent = (await store.listOutbox({ channel: item.channel, chatId: item.chatId })).filter(
      (o) => o.id !== item.id && o.status === 'sent' && !o.lastError?.startsWith(WINDOW_NOTE),
    );
    const since = (at: Date | undefined) =>
      at
        ? sent
            .filter((o) => o.createdAt.getTime() >= at.getTime())
            .reduce((n, o) => n + (sender.partsOf?.(o.action) ?? 1), 0)
        : 0;
    const durable: ReplyWindowState = {
      ...(lastMessageAt ? { lastMessageAt } : {}),
      sentSinceMessage: since(lastMessageAt),
      ...(lastEventAt ? { lastEventAt } : {}),
      sentSinceEvent: since(lastEventAt),
    };
    const seen = sender.replyWindow?.(item.chatId);
    if (!seen) return durable;
    const [lastMessage, sentSinceMessage] = merge(
      [durable.lastMessageAt, durable.sentSinceMessage],
      [seen.lastMessageAt, seen.sentSinceMessage],
    );
    const [lastEvent, sentSinceEvent] = merge(
      [durable.lastEventAt, durable.sentSinceEvent],
      [seen.lastEventAt, seen.sentSinceEvent],
    );
    return {
      ...(lastMessage ? { lastMessageAt: lastMessage } : {}),
      sentSinceMessage,
      ...(lastEvent ? { lastEventAt: lastEvent } : {}),
      sentSinceEvent,
    };
  }

  /**
   * What is done with a message the window does not let go (`why`: ours, or the platform's refusal): the
   * notification form when the channel has one for the message's purpose, else a task for staff to phone
   * the owner. An earlier item of the same chat and run about the same thing already stood for it: this
   * one is settled as covered, so that a revisit's greeting and first question cost one notification.
   */
  async fallback(sender: ChannelSender, item: OutboxItem, why: Outside): Promise<FallbackOutcome> {
    const { store, clock, log } = this.ctx;
    const message = item.action.message;
    const purpose = message.purpose;
    const now = clock.now();
    const kind = purpose?.kind ?? 'reply';
    const covering = await this.coveringItem(item, purpose);
    if (covering) {
      await store.markOutboxSent(item.id, undefined, now, {
        note: `${WINDOW_NOTE} ${why}: covered by the notification for item ${covering.id}`,
      });
      return { settled: true };
    }
    if (purpose && sender.notify && sender.canNotify?.(purpose.kind)) {
      const delivery = await sender.notify(item.chatId, {
        purpose,
        text: firstLine(message),
        when: formatBusinessTime(item.createdAt, this.ctx.settings.timeZone),
      });
      if (delivery.status === 'sent') {
        log.info({ id: item.id, channel: item.channel, kind }, 'reply window closed: sent as a notification instead');
        await store.markOutboxSent(item.id, delivery.platformMessageId, now, {
          note: `${WINDOW_NOTE} ${why}: sent as the ${purpose.kind} notification`,
        });
        return { settled: true };
      }
      // A template refused for what it holds (a wrong id, a field too long) will not go later either.
      if (delivery.status !== 'rejected' && delivery.status !== 'misconfigured') return { settled: false, delivery };
      log.error(
        { id: item.id, channel: item.channel, kind, reason: delivery.reason },
        'the notification for a closed reply window was refused; staff are asked to phone the owner',
      );
    }
    await this.askStaffToPhone(item, purpose, why);
    return { settled: true };
  }

  /** An earlier item of this chat, written in the same moment about the same thing, that this module settled. */
  private async coveringItem(item: OutboxItem, purpose: MessagePurpose | undefined): Promise<OutboxItem | undefined> {
    const items = await this.ctx.store.listOutbox({ channel: item.channel, chatId: item.chatId });
    return items.find(
      (o) =>
        o.seq < item.seq &&
        o.createdAt.getTime() === item.createdAt.getTime() &&
        o.lastError?.startsWith(WINDOW_NOTE) === true &&
        !o.lastError.includes(': covered by') &&
        o.action.message.purpose?.kind === purpose?.kind &&
        o.action.message.purpose?.ref === purpose?.ref,
    );
  }

  /** The staff group's task "请电话联系业主", and the item settled as not sent, in one transaction. */
  private async askStaffToPhone(item: OutboxItem, purpose: MessagePurpose | undefined, why: Outside): Promise<void> {
    const { store, clock, log } = this.ctx;
    await store.transaction(async (tx) => {
      const contact = await contactOf(tx, item, purpose);
      const locale = this.ctx.staffLocale;
      const t = (key: string, params?: Record<string, string | number>) => this.ctx.t(locale, key, params);
      const text = [
        t('wechat_mp.phone_task.title'),
        t('wechat_mp.phone_task.owner', {
          name: contact.name ?? t('wechat_mp.phone_task.no_name'),
          phone: contact.phone ? maskPhone(contact.phone) : t('wechat_mp.phone_task.no_phone'),
        }),
        t('wechat_mp.phone_task.about', {
          what: t(`wechat_mp.purpose.${purpose?.kind ?? 'reply'}`),
          ref: purpose?.ref ?? '—',
        }),
        t('wechat_mp.phone_task.unsent', { text: firstLine(item.action.message, 200) }),
        t(`wechat_mp.phone_task.why_${why}`),
      ].join('\n');
      await this.ctx.toStaff(tx, { text });
      await tx.markOutboxDead(
        item.id,
        `${WINDOW_NOTE} ${why}: no notification form for ${purpose?.kind ?? 'this message'}; staff asked to phone the owner`,
        clock.now(),
      );
    });
    log.warn(
      { id: item.id, channel: item.channel, kind: purpose?.kind ?? 'reply' },
      'reply window closed and no notification form: staff asked to phone the owner',
    );
  }
}

/** Of two views of one window, the later opening; both counts when they are the same opening. */
function merge(a: [Date | undefined, number], b: [Date | undefined, number]): [Date | undefined, number] {
  const [at, n] = a;
  const [bt, bn] = b;
  if (!bt) return a;
  if (!at) return b;
  if (Math.abs(at.getTime() - bt.getTime()) <= SAME_OPENING_MS)
    return [at.getTime() >= bt.getTime() ? at : bt, Math.max(n, bn)];
  return at > bt ? a : b;
}

/** The message's first line, cut to `max` characters. */
function firstLine(message: OutboundMessage, max = 60): string {
  const line = message.text.split('\n').find((l) => l.trim() !== '') ?? '';
  const chars = [...line.trim()];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

/** The owner behind the chat and the number to call: theirs, or the one given on the ticket. */
async function contactOf(
  tx: StoreTx,
  item: OutboxItem,
  purpose: MessagePurpose | undefined,
): Promise<{ name?: string; phone?: string }> {
  const thread = await tx.getThread(item.channel, item.chatId);
  const owner = thread ? await tx.getOwner(thread.ownerId) : undefined;
  const ticket =
    purpose && (purpose.kind === 'ticket_progress' || purpose.kind === 'revisit_invitation')
      ? await tx.getTicketByNumber(purpose.ref)
      : undefined;
  const name = ticket?.contact?.name || owner?.name;
  const phone = owner?.phone ?? ticket?.contact?.phone;
  return { ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
}
