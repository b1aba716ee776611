/**
 * Notices from the owners' side: the ✅ 知道了 press (a claim: the delivery must exist for this owner; a
 * second press is answered kindly; a press on a cancelled or expired notice says so), `/notices` and the
 * word 通知 / notices, the front door's `notice` intent (明天停水吗, 什么时候来电, 最近有什么通知), and the
 * line after the greeting. Owners see only what is shown now and for their building; an owner whose flat
 * we do not know gets the estate-wide notices and is asked for their building.
 *
 * Where a channel has no buttons (WeChat, the console) the outbox lists them by number: a number typed
 * while the latest message in the chat is a notice's, and no form question is open, presses that button;
 * its words (知道了, Got it) press it too.
 */

import { formatUnit, parseUnit, toHalfWidth } from '../../core/location.js';
import { goneReason, isShown } from '../../core/notices/lifecycle.js';
import { placesOfOwner, targetIncludes } from '../../core/notices/target.js';
import type { Notice, StoreTx } from '../../core/ports.js';
import {
  decodeNoticeButton,
  encodeNoticeButton,
  isNoticeButtonData,
  type NoticeButton,
} from '../../core/protocol/notice-buttons.js';
import type { Address, Button, Inbound, OutboundAction, OutboundMessage, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { SurveyOwners } from '../owner/conversations.js';
import type { Handled } from '../parts.js';
import type { NoticeDeliveries } from './delivery.js';
import type { NoticeSupport } from './support.js';

/** What an owner types to see their notices. */
const LIST_WORDS = new Set([
  '/notices',
  '/notice',
  '通知',
  '公告',
  '通知公告',
  '看通知',
  '查看通知',
  'notices',
  'notice',
]);
/** What an owner types for "✅ 知道了" where there are no buttons. */
const READ_WORDS = new Set(['知道了', '知道', '收到', '收到了', '已阅', '好的知道了', 'got it', 'ok got it', 'noted']);
/** How long the question "which building are you in?" waits for a flat. */
const ASK_UNIT_MS = 10 * 60_000;
const ASK_UNIT_KEY = (ownerId: string) => `notice.ask-unit:${ownerId}`;
/** What may surround a flat typed as the whole answer (我住3-2-501, 3栋2单元501室). */
const FLAT_ONLY = /^[\s\d\-/#.,，。栋幢号楼座单元门室房我住在是的bldgbuildingunitroomrmflatapt]*$/i;

export class NoticeOwners {
  private readonly ctx: AppContext;

  constructor(
    private readonly kit: NoticeSupport,
    private readonly deliveries: NoticeDeliveries,
    private readonly conversations: SurveyOwners,
  ) {
    this.ctx = kit.ctx;
  }

  /** The notices shown now to an owner with these flats (estate-wide ones only when none is known). */
  async activeFor(tx: StoreTx, owner: Pick<Owner, 'units' | 'qrBuilding'>, now: Date): Promise<Notice[]> {
    const shown = await tx.listNotices({ statuses: ['published'], activeAt: now, limit: 100 });
    return shown
      .filter((n) => isShown(n, now) && targetIncludes(n.target, owner.units, owner.qrBuilding))
      .sort((a, b) => a.validFrom.getTime() - b.validFrom.getTime());
  }

  /** An owner's message or press that is about notices; undefined when it is not. */
  async message(tx: StoreTx, owner: Owner, inbound: Inbound, now: Date): Promise<Handled | undefined> {
    const c = inbound.content;
    if (c.type === 'button') {
      if (!isNoticeButtonData(c.data)) return undefined;
      const button = decodeNoticeButton(c.data);
      if (!button) return { ack: { text: this.ctx.t(owner.locale, 'notice.owner.read_unknown'), alert: true } };
      return this.press(tx, owner, inbound, button, now, false);
    }
    if (c.type !== 'text') return undefined;
    const text = c.text.trim();
    const word = text.toLowerCase().replace(/[。.!！]$/, '');
    if (LIST_WORDS.has(word)) {
      await this.answer(tx, owner, inbound, now, 'list');
      return {};
    }
    const unit = await this.unitAnswer(tx, owner, inbound, text, now);
    if (unit) return unit;
    // Only a button number or a read word can press a listed button: any other text never reads the chat's log.
    const number = toHalfWidth(text).match(/^(\d{1,2})[.。]?$/)?.[1];
    const readWord = READ_WORDS.has(word);
    if (!number && !readWord) return undefined;
    const shown = await this.shownButtons(tx, inbound);
    if (!shown) return undefined;
    let picked: Button | undefined;
    if (number && !(await tx.getThread(inbound.channel, inbound.chatId))?.state.flow)
      picked = shown[Number(number) - 1];
    if (!picked && readWord) picked = shown.find((b) => decodeNoticeButton(b.data)?.type === 'read');
    const button = picked ? decodeNoticeButton(picked.data) : undefined;
    return button ? this.press(tx, owner, inbound, button, now, true) : undefined;
  }

  /** The notice buttons of the latest message in this chat, if that message is a notice's. */
  private async shownButtons(tx: StoreTx, address: Address): Promise<Button[] | undefined> {
    const recent = await tx.listMessages(address.channel, address.chatId, 10);
    const last = recent.findLast((e) => e.direction === 'out');
    const action = last?.body as OutboundAction | undefined;
    const buttons = action?.kind === 'send' ? (action.message.buttons?.flat() ?? []) : [];
    return buttons.length > 0 && buttons.every((b) => isNoticeButtonData(b.data)) ? buttons : undefined;
  }

  /** A press (or its typed equivalent, answered as a message since no toast can show it). */
  private async press(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    button: NoticeButton,
    now: Date,
    typed: boolean,
  ): Promise<Handled> {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(owner.locale, k, p);
    const reply = async (text: string, alert = false): Promise<Handled> => {
      if (!typed) return { ack: { text, ...(alert ? { alert } : {}) } };
      await this.ctx.sendTo(tx, address, { text });
      return {};
    };
    if (button.type === 'report') {
      await this.startReport(tx, owner, address);
      return typed ? {} : { ack: { text: '' } };
    }
    if (button.type !== 'read') return reply(t('notice.owner.read_unknown'), true);
    const notice = await tx.getNotice(button.noticeId);
    const delivery = notice ? await tx.getNoticeDelivery(notice.id, owner.id) : undefined;
    if (!notice || !delivery) {
      this.ctx.log.warn(
        { ownerId: owner.id, notice: button.noticeId },
        'a read press for a notice this owner was not sent',
      );
      return reply(t('notice.owner.read_unknown'), true);
    }
    const gone = goneReason(notice, now);
    if (gone) return reply(t(`notice.owner.read_${gone}`, { id: notice.id }), true);
    if (delivery.readAt) return reply(t('notice.owner.read_again'));
    await tx.saveNoticeDelivery({ ...delivery, readAt: now });
    await this.deliveries.statusSoon(tx, notice.id);
    return reply(t('notice.owner.read_thanks'));
  }

  /** "Report a problem" under "no notice for your building": the menu's repair entry, as if chosen there. */
  private async startReport(tx: StoreTx, owner: Owner, address: Address): Promise<void> {
    const entry = this.ctx.registry.menu.entries.find((e) => e.id === 'repair' && e.flow);
    if (!entry?.flow) return;
    await this.conversations.startFlowFor(tx, owner, address, entry.flow, {}, { preset: entry.preset });
  }

  /**
   * The notices for the owner's building (the `notice` intent, `/notices`, 通知), or that there is none
   * and a way to report a problem. An owner whose flat we do not know is asked for it.
   */
  async answer(tx: StoreTx, owner: Owner, address: Address, now: Date, why: 'intent' | 'list'): Promise<void> {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(owner.locale, k, p);
    const notices = await this.activeFor(tx, owner, now);
    const known = placesOfOwner(owner).length > 0;
    const ask = known ? [] : [t('notice.owner.ask_building')];
    if (!known) await tx.setSetting(ASK_UNIT_KEY(owner.id), new Date(now.getTime() + ASK_UNIT_MS).toISOString());
    if (notices.length === 0) {
      const report: Button = {
        label: t('notice.owner.report_button'),
        data: encodeNoticeButton({ type: 'report' }),
      };
      await this.ctx.sendTo(tx, address, {
        text: [t(known ? 'notice.owner.none' : 'notice.owner.none_estate'), ...ask].join('\n\n'),
        buttons: [[report]],
      });
      return;
    }
    const blocks = notices.map((n) => this.kit.ownerMessage(n, owner.locale, address.channel, { button: false }));
    const title = t(why === 'list' ? 'notice.owner.list_title' : 'notice.owner.answer_title', {
      count: notices.length,
    });
    const messages: OutboundMessage[] = [
      { text: [title, ...blocks.map((b) => b.text)].join('\n\n——————\n\n') },
      ...ask.map((text) => ({ text })),
    ];
    for (const m of messages) await this.ctx.sendTo(tx, address, m);
    this.ctx.log.info({ ownerId: owner.id, count: notices.length, why }, 'notices shown to an owner');
  }

  /** A flat typed after "which building are you in?": kept on the owner, and their notices shown. */
  private async unitAnswer(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    text: string,
    now: Date,
  ): Promise<Handled | undefined> {
    const raw = await tx.getSetting(ASK_UNIT_KEY(owner.id));
    if (!raw) return undefined;
    if (new Date(raw).getTime() < now.getTime()) {
      await tx.setSetting(ASK_UNIT_KEY(owner.id), '');
      return undefined;
    }
    const flat = FLAT_ONLY.test(toHalfWidth(text)) ? parseUnit(text) : undefined;
    if (!flat) return undefined;
    await tx.setSetting(ASK_UNIT_KEY(owner.id), '');
    const unit = formatUnit(flat);
    const updated: Owner = owner.units.includes(unit)
      ? owner
      : { ...owner, units: [...owner.units, unit], updatedAt: now };
    if (updated !== owner) await tx.saveOwner(updated);
    await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'notice.owner.unit_kept', { unit }) });
    await this.answer(tx, updated, address, now, 'list');
    return {};
  }

  /** The line after the greeting when notices are shown for the owner's building; undefined when none. */
  async greetingLine(tx: StoreTx, owner: Owner, now: Date): Promise<string | undefined> {
    const notices = await this.activeFor(tx, owner, now);
    if (notices.length === 0) return undefined;
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(owner.locale, k, p);
    const titles = notices
      .slice(0, 3)
      .map((n) =>
        t('notice.owner.greeting_item', { kind: t(`notice.kind.${n.kind}`), period: this.kit.period(n, owner.locale) }),
      );
    return t('notice.owner.greeting', { count: notices.length, items: titles.join(t('notice.target.separator')) });
  }
}
