/**
 * One owner, many channels: an owner who reaches us on Telegram and on WeChat becomes one person in the
 * store once they prove both chats are theirs. When a phone number they give is already known from
 * another channel, a one-time code is sent to that other chat; typing it here links the two.
 */
import { randomInt } from 'node:crypto';
import type { StoreTx } from '../core/ports.js';
import type { Address, Owner } from '../core/types.js';
import type { AppContext } from './context.js';

const CODE_TTL_MS = 30 * 60_000;
const MAX_ATTEMPTS = 3;

interface PendingLink {
  otherId: string;
  code: string;
  expires: string;
  attempts: number;
}

const key = (owner: Owner) => `link:${owner.id}`;

export class IdentityLinks {
  constructor(private readonly ctx: AppContext) {}

  /** After an owner gave a phone number: if another owner on another channel has it, send them a code. */
  async offer(tx: StoreTx, owner: Owner, address: Address): Promise<void> {
    if (!owner.phone || (await tx.getSetting(key(owner)))) return;
    const others = (await tx.findOwnersByPhone(owner.phone)).filter(
      (o) =>
        o.id !== owner.id &&
        !o.unreachable &&
        o.identities.some((i) => !owner.identities.some((mine) => mine.channel === i.channel)),
    );
    const other = others[0];
    const target = other?.identities.find((i) => !owner.identities.some((mine) => mine.channel === i.channel));
    if (!other || !target) return;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const pending: PendingLink = {
      otherId: other.id,
      code,
      expires: new Date(this.ctx.clock.now().getTime() + CODE_TTL_MS).toISOString(),
      attempts: 0,
    };
    await tx.setSetting(key(owner), JSON.stringify(pending));
    const here = this.ctx.t(other.locale, `channel.${address.channel}`);
    await this.ctx.sendTo(
      tx,
      { channel: target.channel, chatId: target.chatId },
      { text: this.ctx.t(other.locale, 'link.code', { code, channel: here }) },
    );
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(owner.locale, 'link.offer', { channel: this.ctx.t(owner.locale, `channel.${target.channel}`) }),
    });
    this.ctx.log.info({ ownerId: owner.id, otherId: other.id }, 'offered to link two chats of one owner');
  }

  /**
   * A six-digit message from an owner with a pending link: checks the code and links the two owners.
   * Returns true when the message was about linking (and answered), false to let it through.
   */
  async tryCode(tx: StoreTx, owner: Owner, address: Address, text: string): Promise<boolean> {
    const typed = text.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
    if (!/^\d{6}$/.test(typed)) return false;
    const raw = await tx.getSetting(key(owner));
    if (!raw) return false;
    const pending = JSON.parse(raw) as PendingLink;
    const now = this.ctx.clock.now();
    if (new Date(pending.expires).getTime() < now.getTime()) {
      await tx.setSetting(key(owner), '');
      await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'link.expired') });
      return true;
    }
    if (typed !== pending.code) {
      pending.attempts += 1;
      await tx.setSetting(key(owner), pending.attempts >= MAX_ATTEMPTS ? '' : JSON.stringify(pending));
      await this.ctx.sendTo(tx, address, {
        text: this.ctx.t(owner.locale, pending.attempts >= MAX_ATTEMPTS ? 'link.expired' : 'link.wrong'),
      });
      return true;
    }
    await tx.setSetting(key(owner), '');
    const other = await tx.getOwner(pending.otherId);
    if (!other) return false;
    await this.merge(tx, other, owner);
    await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'link.done') });
    return true;
  }

  /** Moves everything of `drop` onto `keep`: identities, tickets and threads. */
  private async merge(tx: StoreTx, keep: Owner, drop: Owner): Promise<void> {
    const now = this.ctx.clock.now();
    await tx.saveOwner({ ...drop, identities: [], updatedAt: now });
    await tx.saveOwner({
      ...keep,
      identities: [
        ...keep.identities,
        ...drop.identities.filter(
          (i) => !keep.identities.some((k) => k.channel === i.channel && k.userId === i.userId),
        ),
      ],
      units: [...new Set([...keep.units, ...drop.units])],
      name: keep.name ?? drop.name,
      updatedAt: now,
    });
    for (const ticket of await tx.listTickets({ ownerId: drop.id, limit: 1000 })) {
      await tx.saveTicket({ ...ticket, ownerId: keep.id });
    }
    for (const identity of drop.identities) {
      const thread = await tx.getThread(identity.channel, identity.chatId);
      if (thread) await tx.saveThread({ ...thread, ownerId: keep.id });
    }
    this.ctx.log.info({ keep: keep.id, drop: drop.id }, 'linked two chats of one owner');
  }
}
