/**
 * The closing edit a message carries (`action.closes`: the buttons taken off the question it follows, see
 * OwnerConversations.runEngine), delivered by the dispatcher after the message: made right after it when
 * the chat has allowance to spare (as for any cosmetic item), so that it costs no outbox item of its own.
 * When the chat has none, or the edit meets a failure worth trying again, or the message's own outcome is
 * unknown, it is queued on its own as a cosmetic item; a refused edit (the question too old to edit) is
 * given up, as a cosmetic item's would be. The message is settled before, so nothing here delays or
 * repeats it.
 */
import type { ChannelSender, Delivery } from '../core/ports/channels.js';
import type { Clock, OutboxItem, Store } from '../core/ports.js';
import type { OutboundAction } from '../core/types.js';
import type { Logger } from '../logger.js';

/** What the closing edits take from the dispatcher that delivers their messages. */
export interface ClosingEditsOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** One delivery, with the dispatcher's timeout. */
  call(sender: ChannelSender, item: OutboxItem, target: string): Promise<Delivery>;
  /** How long a cosmetic item waits when the chat has `wait` ms to go before allowance is spare. */
  cosmeticDelay(wait: number): number;
  /** The first backoff after a failure worth trying again. */
  retryDelay(): number;
  /** Tells the dispatcher something becomes due at `at` (epoch ms). */
  dueAt(at: number): void;
}

/** The edit `item` carries and the platform id of the question it closes; none when that was never sent here. */
function closingOf(item: OutboxItem): { action: OutboundAction; target: string } | undefined {
  const closes = item.action.kind === 'send' ? item.action.closes : undefined;
  if (!closes || item.closesTarget === undefined) return undefined;
  return { action: { kind: 'edit', ...closes }, target: item.closesTarget };
}

export class ClosingEdits {
  constructor(private readonly o: ClosingEditsOptions) {}

  /** After `item` was sent: its closing edit now, or queued for later. */
  async after(sender: ChannelSender, item: OutboxItem): Promise<void> {
    const closing = closingOf(item);
    if (!closing) return;
    const now = this.o.clock.now().getTime();
    const wait = sender.reserve?.(item.chatId, now, { cosmetic: true }) ?? 0;
    if (wait > 0) {
      await this.queue(item, now + this.o.cosmeticDelay(wait));
      return;
    }
    const result = await this.o.call(sender, { ...item, action: closing.action }, closing.target);
    const after = this.o.clock.now().getTime();
    switch (result.status) {
      case 'sent':
        return;
      case 'transient':
      case 'unknown':
        await this.queue(item, after + this.o.cosmeticDelay(this.o.retryDelay()));
        return;
      case 'rate_limited':
        await this.queue(item, after + result.retryAfterMs);
        return;
      default:
        this.o.log.debug(
          { id: item.id, reason: result.reason },
          'a closing edit was refused; its question keeps its buttons',
        );
    }
  }

  /**
   * Queues `item`'s closing edit on its own (a cosmetic item, due at `at`), for the chat's spare allowance
   * later. Its id is the message's with a suffix, so a second worker that settled the same message cannot
   * queue it twice; such a refusal is only noted.
   */
  async queue(item: OutboxItem, at: number): Promise<void> {
    const closing = closingOf(item);
    if (!closing) return;
    try {
      await this.o.store.enqueue(
        [
          {
            id: `${item.id}:closes`,
            channel: item.channel,
            chatId: item.chatId,
            action: closing.action,
            notBefore: new Date(at),
            cosmetic: true,
          },
        ],
        this.o.clock.now(),
      );
      this.o.dueAt(at);
    } catch (error) {
      this.o.log.debug({ err: error, id: item.id }, 'a closing edit could not be queued on its own');
    }
  }
}
