/**
 * Notices (通知公告), issue 16: staff announce water and power cuts, pest control, storms, works, events and
 * the owners' committee to the whole estate or to buildings and units; owners get them in their language,
 * confirm with ✅ 知道了, and can ask what is on for their building. The App part that connects the small
 * services, each usable on its own:
 *
 * - `staff` (staff.ts): draft, preview, publish, correct, cancel, list, counts; `npm run notice` uses it.
 * - `compose` (compose.ts): the guided `/notice` questions.
 * - `deliveries` (delivery.ts): the jobs that send, update, remind, expire and refresh the counts.
 * - `owners` (owners.ts): the read button, the owners' list and questions, the greeting's line.
 */
import { type NoticeCommand, parseNoticeCommand } from '../../core/notices/command.js';
import type { StoreTx } from '../../core/ports.js';
import { decodeNoticeButton, isNoticeButtonData, type NoticeButton } from '../../core/protocol/notice-buttons.js';
import type { Address, Button, Inbound, OutboundAction, Owner, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { SurveyOwners } from '../owner/conversations.js';
import type { IntentHandler } from '../owner/front-door.js';
import type { AppPart, Handled } from '../parts.js';
import type { JobHandler } from '../scheduler.js';
import { NoticeCompose } from './compose.js';
import { NoticeDeliveries } from './delivery.js';
import { NoticeOwners } from './owners.js';
import { type NoticeActor, type NoticeCommandResult, NoticeStaff, type NoticeVia } from './staff.js';
import { type NoticeOptions, NoticeSupport } from './support.js';

export type { NoticeOptions } from './support.js';

export class Notices implements AppPart {
  readonly staff: NoticeStaff;
  readonly compose: NoticeCompose;
  readonly deliveries: NoticeDeliveries;
  readonly owners: NoticeOwners;
  private readonly ctx: AppContext;

  constructor(ctx: AppContext, conversations: SurveyOwners, opts: NoticeOptions = {}) {
    this.ctx = ctx;
    const kit = new NoticeSupport(ctx, opts);
    this.deliveries = new NoticeDeliveries(kit);
    this.staff = new NoticeStaff(kit, this.deliveries);
    this.compose = new NoticeCompose(kit, this.staff);
    this.owners = new NoticeOwners(kit, this.deliveries, conversations);
  }

  jobHandlers(): Record<string, JobHandler> {
    return this.deliveries.jobHandlers();
  }

  /** The front door's `notice` intent (明天停水吗, 什么时候来电, 最近有什么通知). */
  readonly intent: IntentHandler = (tx, owner, address, _effect, now) =>
    this.owners.answer(tx, owner, address, now, 'intent');

  /** The line after the engine's welcome, when a notice is shown for the owner's building. */
  greetingLine(tx: StoreTx, owner: Owner, now: Date): Promise<string | undefined> {
    return this.owners.greetingLine(tx, owner, now);
  }

  ownerMessage(tx: StoreTx, owner: Owner, inbound: Inbound, now: Date): Promise<Handled | undefined> {
    return this.owners.message(tx, owner, inbound, now);
  }

  /**
   * A staff member's `/notice …`, a notice button, an answer to the guided questions, or a number typed
   * for a button of the latest notice message in the chat (WeChat has no buttons).
   */
  async staffMessage(tx: StoreTx, staff: Staff, inbound: Inbound, now: Date): Promise<Handled | undefined> {
    const actor: NoticeActor = { id: staff.id, role: staff.role };
    const via: NoticeVia = inbound.chatKind === 'staff' ? 'room' : 'private';
    const c = inbound.content;
    let button: NoticeButton | undefined;
    if (c.type === 'button') {
      if (!isNoticeButtonData(c.data)) return undefined;
      button = decodeNoticeButton(c.data);
      if (!button)
        return { ack: { text: this.ctx.t(this.ctx.staffLocale, 'notice.refused.stale_button'), alert: true } };
      // Staff are owners too: in their private chat a notice's ✅ is theirs as an owner.
      if ((button.type === 'read' || button.type === 'report') && via === 'private') return undefined;
    }
    const text = c.type === 'text' ? c.text : c.type === 'photo' ? (c.caption ?? '') : '';
    const command = text ? parseNoticeCommand(text, now, this.ctx.settings.timeZone) : undefined;
    if (command?.action === 'compose') return this.reply(tx, inbound, await this.compose.start(tx, actor));
    if (!command) {
      const answered = await this.compose.answer(tx, actor, inbound, via, button);
      if (answered) return this.reply(tx, inbound, answered);
    }
    if (!button && !command && c.type === 'text') button = await this.typedButton(tx, inbound, c.text);
    if (button) return this.staffButton(tx, inbound, actor, via, button);
    if (!command) return undefined;
    const photo = c.type === 'photo' ? { channel: inbound.channel, fileRef: c.fileRef } : undefined;
    return this.reply(tx, inbound, await this.staff.command(tx, command, actor, via, photo));
  }

  private async staffButton(
    tx: StoreTx,
    inbound: Inbound,
    actor: NoticeActor,
    via: NoticeVia,
    button: NoticeButton,
  ): Promise<Handled> {
    const t = (k: string) => this.ctx.t(this.ctx.staffLocale, k);
    switch (button.type) {
      case 'staff': {
        const result = await this.staff.button(tx, button.action, button.noticeId, actor, via);
        // A refusal from a button is for the presser alone (no noise in the group).
        if (!result.ok && inbound.content.type === 'button')
          return { ack: { text: result.reply.map((m) => m.text).join('\n'), alert: true } };
        return this.reply(tx, inbound, result);
      }
      case 'read':
        return { ack: { text: t('notice.staff.read_in_preview') } };
      default:
        // A guided question's button with no question open (it expired, or someone else's).
        return { ack: { text: t('notice.compose.expired'), alert: true } };
    }
  }

  /** A number or a label typed for the buttons of the latest message in the chat, when that message is a notice's. */
  private async typedButton(tx: StoreTx, address: Address, text: string): Promise<NoticeButton | undefined> {
    const recent = await tx.listMessages(address.channel, address.chatId, 10);
    const last = recent.findLast((e) => e.direction === 'out')?.body as OutboundAction | undefined;
    const buttons: Button[] = last?.kind === 'send' ? (last.message.buttons?.flat() ?? []) : [];
    if (buttons.length === 0 || !buttons.every((b) => isNoticeButtonData(b.data))) return undefined;
    const n = text.trim().match(/^([0-9]{1,2})[.。]?$/)?.[1];
    const picked = n ? buttons[Number(n) - 1] : undefined;
    const decoded = picked ? decodeNoticeButton(picked.data) : undefined;
    return decoded?.type === 'staff' ? decoded : undefined;
  }

  private async reply(tx: StoreTx, inbound: Inbound, result: NoticeCommandResult): Promise<Handled> {
    for (const message of result.reply) await this.ctx.sendTo(tx, inbound, message);
    return {};
  }

  /** Runs a `/notice …` command from the terminal (`npm run notice`), as a supervisor. */
  cli(tx: StoreTx, command: NoticeCommand, by: string): Promise<NoticeCommandResult> {
    return this.staff.command(tx, command, { id: by, role: 'manager' }, 'cli');
  }
}
