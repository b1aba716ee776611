/**
 * Notices from the staff side: drafting (the one-line form or the guided questions end here), the preview
 * as owners will see it, publishing now or at a set time (supervisors and managers only, and only after a
 * preview of the latest change), corrections and cancellation (sent to everyone who received it), the
 * list, and one notice's sent / read counts with who has read it. Used by the staff group, a staff
 * member's private chat and `npm run notice`.
 */

import type { NoticeDraft, NoticeProblem } from '../../core/notices/command.js';
import { checkTimes, type NoticeCommand } from '../../core/notices/command.js';
import { pestControlShortNotice, reminderTime, sendsInQuietHours } from '../../core/notices/kinds.js';
import { isShown, noticeAllows, noticeId, previewCurrent } from '../../core/notices/lifecycle.js';
import type { Notice, StoreTx } from '../../core/ports.js';
import { encodeNoticeButton, type NoticeStaffAction } from '../../core/protocol/notice-buttons.js';
import { lastAllowedBefore } from '../../core/time.js';
import type { Channel, Locale, OutboundMessage, Staff } from '../../core/types.js';
import { recordAudit } from '../audit/trail.js';
import type { AppContext } from '../context.js';
import { CANCEL_REASON_KEY, type NoticeDeliveries } from './delivery.js';
import type { NoticeSupport } from './support.js';

const NO_REMINDER_KEY = (id: string) => `notice.noremind:${id}`;
const DAY = 24 * 3_600_000;
/** Names listed per group (read / not read) in `/notice N001`. */
const NAMES_SHOWN = 20;

/** Who gives a command: a staff member, or `cli:<user>` at the terminal (who may do everything). */
export interface NoticeActor {
  id: string;
  role: Staff['role'];
}

export interface NoticeCommandResult {
  ok: boolean;
  /** For whoever gave the command (the chat it came from, or the terminal). */
  reply: OutboundMessage[];
}

/** Where a command came from: the staff group (its results are seen there), a private chat, the terminal. */
export type NoticeVia = 'room' | 'private' | 'cli';

export class NoticeStaff {
  private readonly ctx: AppContext;

  constructor(
    private readonly kit: NoticeSupport,
    private readonly deliveries: NoticeDeliveries,
  ) {
    this.ctx = kit.ctx;
  }

  private say(key: string, params?: Record<string, string | number>): NoticeCommandResult {
    return { ok: false, reply: [{ text: this.kit.staffT(key, params) }] };
  }

  /**
   * Runs a parsed command for `actor`. Roles are checked here: publishing, corrections and cancellation
   * need a supervisor. What changed a notice (drafting, publishing, a correction, cancelling) is on the audit log.
   */
  async command(
    tx: StoreTx,
    cmd: NoticeCommand,
    actor: NoticeActor,
    via: NoticeVia,
    photo?: { channel: Channel; fileRef: string },
  ): Promise<NoticeCommandResult> {
    const result = await this.run(tx, cmd, actor, via, photo);
    // Drafting is recorded by create() itself, which the guided questions (compose.ts) call too.
    if (result.ok && (cmd.action === 'publish' || cmd.action === 'correct' || cmd.action === 'cancel'))
      await this.audit(tx, cmd.action, actor, cmd.id);
    return result;
  }

  /** A notice's change, done, on the audit log. */
  private async audit(tx: StoreTx, action: string, actor: NoticeActor, id?: string): Promise<void> {
    await recordAudit(this.ctx, tx, {
      actorId: actor.id,
      role: actor.role,
      action: `notice.${action}`,
      ...(id ? { subject: { kind: 'notice' as const, id } } : {}),
    });
  }

  private async run(
    tx: StoreTx,
    cmd: NoticeCommand,
    actor: NoticeActor,
    via: NoticeVia,
    photo?: { channel: Channel; fileRef: string },
  ): Promise<NoticeCommandResult> {
    switch (cmd.action) {
      case 'help':
      case 'compose':
        return { ok: true, reply: [{ text: this.kit.staffT('notice.staff.help') }] };
      case 'invalid':
        return this.problem(cmd.problem, cmd.detail);
      case 'list':
        return this.list(tx);
      case 'show':
        return this.show(tx, cmd.id);
      case 'create':
        return this.create(tx, cmd.draft, actor, via, photo);
      case 'preview':
        return this.preview(tx, cmd.id, via);
      case 'publish':
        return this.publish(tx, cmd.id, actor, via);
      case 'correct':
        return this.correct(tx, cmd.id, cmd.text, actor, via);
      case 'cancel':
        return this.cancel(tx, cmd.id, actor, via, cmd.reason);
    }
  }

  /** A staff button under a notice's summary or status message (publishing and discarding on the audit log). */
  async button(
    tx: StoreTx,
    action: NoticeStaffAction,
    id: string,
    actor: NoticeActor,
    via: NoticeVia,
  ): Promise<NoticeCommandResult> {
    const result = await this.pressed(tx, action, id, actor, via);
    if (result.ok && (action === 'publish' || action === 'discard'))
      await this.audit(tx, action === 'discard' ? 'cancel' : action, actor, id);
    return result;
  }

  private pressed(
    tx: StoreTx,
    action: NoticeStaffAction,
    id: string,
    actor: NoticeActor,
    via: NoticeVia,
  ): Promise<NoticeCommandResult> {
    switch (action) {
      case 'preview':
        return this.preview(tx, id, via);
      case 'publish':
        return this.publish(tx, id, actor, via);
      case 'discard':
        return this.cancel(tx, id, actor, via);
      case 'status':
        return this.show(tx, id);
    }
  }

  problem(problem: NoticeProblem, detail?: string): NoticeCommandResult {
    return this.say(`notice.problem.${problem}`, { detail: detail ?? '' });
  }

  // ── drafting and the preview ──────────────────────────────────────────────

  /** Drafts a notice and shows its preview at once (one line + preview + publish is the whole job). */
  async create(
    tx: StoreTx,
    draft: NoticeDraft,
    actor: NoticeActor,
    via: NoticeVia,
    photo?: { channel: Channel; fileRef: string },
  ): Promise<NoticeCommandResult> {
    const now = this.kit.now();
    const problem = checkTimes(draft.validFrom, draft.validTo, draft.sendAt, now);
    if (problem) return this.problem(problem);
    const id = noticeId(await tx.nextSequence('notice'));
    const notice: Notice = {
      id,
      kind: draft.kind,
      urgent: draft.urgent,
      target: draft.target,
      text: draft.text,
      ...(photo ? { photo } : {}),
      validFrom: draft.validFrom,
      validTo: draft.validTo,
      ...(draft.sendAt ? { sendAt: draft.sendAt } : {}),
      status: 'draft',
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
      corrections: [],
    };
    await tx.createNotice(notice);
    if (draft.noReminder) await tx.setSetting(NO_REMINDER_KEY(id), '1');
    this.ctx.log.info({ notice: id, kind: notice.kind, by: actor.id }, 'notice drafted');
    await this.audit(tx, 'create', actor, id);
    return this.showPreview(tx, notice, actor, via);
  }

  async preview(tx: StoreTx, id: string, via: NoticeVia): Promise<NoticeCommandResult> {
    const notice = await tx.getNotice(id);
    if (!notice) return this.say('notice.refused.unknown', { id });
    return this.showPreview(tx, notice, undefined, via);
  }

  /**
   * The notice exactly as owners in the staff's language will see it (with its ✅ button), then a summary
   * for staff: target and how many owners it reaches, when it is sent (and what quiet hours do to that), the
   * reminder, the pest-control warning, the English text, and the buttons to publish or discard.
   */
  private async showPreview(
    tx: StoreTx,
    notice: Notice,
    actor: NoticeActor | undefined,
    via: NoticeVia,
  ): Promise<NoticeCommandResult> {
    const now = this.kit.now();
    const locale = this.ctx.staffLocale;
    const reach = (await tx.listOwners()).filter((o) => this.kit.isFor(notice, o)).length;
    const other: Locale = locale === 'zh-CN' ? 'en' : 'zh-CN';
    const lines = [
      this.kit.staffT('notice.preview.header', {
        id: notice.id,
        status: this.kit.staffT(`notice.status.${notice.status}`),
        kind: this.kit.staffT(`notice.kind.${notice.kind}`),
        target: this.kit.targetText(notice.target),
        reach,
        period: this.kit.period(notice),
      }),
      this.sendLine(notice, now),
    ];
    const reminder = await this.reminderAt(tx, notice, notice.sendAt ?? now);
    if (reminder) lines.push(this.kit.staffT('notice.preview.reminder', { time: this.kit.time(reminder) }));
    const short = pestControlShortNotice(notice, now);
    if (short !== undefined)
      lines.push(this.kit.staffT('notice.preview.pest_warning', { days: Math.floor((short / DAY) * 10) / 10 }));
    if (notice.text[other] && notice.text[locale])
      lines.push(this.kit.staffT(`notice.preview.other_${other}`, { text: notice.text[other] ?? '' }));
    else lines.push(this.kit.staffT('notice.preview.one_language'));
    if (notice.photo) lines.push(this.kit.staffT('notice.preview.photo'));
    const draft = notice.status === 'draft';
    lines.push(
      this.kit.staffT(draft ? 'notice.preview.footer_draft' : 'notice.preview.footer_published', { id: notice.id }),
    );
    if (draft && actor?.role === 'staff') lines.push(this.kit.staffT('notice.preview.needs_supervisor'));
    const summary: OutboundMessage = {
      text: lines.join('\n'),
      ...(draft ? { buttons: [[this.staffButton('publish', notice.id), this.staffButton('discard', notice.id)]] } : {}),
    };
    const asOwners = this.kit.ownerMessage(notice, locale, notice.photo?.channel ?? 'console');
    const messages = [
      { ...asOwners, text: `${this.kit.staffT('notice.preview.as_owners')}\n\n${asOwners.text}` },
      summary,
    ];
    if (via === 'cli')
      for (const m of messages) await this.ctx.toStaff(tx, m, notice.photo ? [notice.photo.channel] : undefined);
    if (draft) await tx.saveNotice({ ...notice, previewedAt: now });
    return { ok: true, reply: messages };
  }

  /** When it goes out: at publishing or at its set time; a notice that may not wake owners waits for the morning. */
  private sendLine(notice: Notice, now: Date): string {
    const at = notice.sendAt && notice.sendAt.getTime() > now.getTime() ? notice.sendAt : undefined;
    const when = at ? this.kit.time(at) : this.kit.staffT('notice.preview.at_publishing');
    if (sendsInQuietHours(notice)) return this.kit.staffT('notice.preview.send_urgent', { when });
    const allowed = this.kit.sendTime(notice, at ?? now);
    const held = allowed.getTime() > (at ?? now).getTime();
    return this.kit.staffT(held ? 'notice.preview.send_held' : 'notice.preview.send', {
      when,
      time: this.kit.time(allowed),
    });
  }

  private staffButton(action: NoticeStaffAction, id: string) {
    return {
      label: this.kit.staffT(`notice.button.${action}`),
      data: encodeNoticeButton({ type: 'staff', action, noticeId: id }),
    };
  }

  /** When unread owners of an outage are reminded (the evening before rather than in the night); none when turned off. */
  private async reminderAt(tx: StoreTx, notice: Notice, sentAt: Date): Promise<Date | undefined> {
    if (await tx.getSetting(NO_REMINDER_KEY(notice.id))) return undefined;
    const at = reminderTime(notice, sentAt);
    if (!at) return undefined;
    const moved = sendsInQuietHours(notice) ? at : lastAllowedBefore(at, this.ctx.policy.quietHours, this.kit.zone);
    return moved.getTime() > sentAt.getTime() ? moved : undefined;
  }

  // ── publishing ─────────────────────────────────────────────────────────

  private mayPublish(actor: NoticeActor): boolean {
    return actor.role === 'supervisor' || actor.role === 'manager';
  }

  async publish(tx: StoreTx, id: string, actor: NoticeActor, via: NoticeVia): Promise<NoticeCommandResult> {
    if (!this.mayPublish(actor)) {
      this.ctx.log.warn({ staff: actor.id, notice: id }, 'refused publishing a notice: not a supervisor');
      return this.say('notice.refused.not_supervisor');
    }
    const notice = await tx.getNotice(id);
    if (!notice) return this.say('notice.refused.unknown', { id });
    if (!noticeAllows(notice.status, 'publish')) return this.badState(notice);
    if (!previewCurrent(notice)) return this.say('notice.refused.not_previewed', { id });
    const now = this.kit.now();
    if (notice.validTo.getTime() <= now.getTime()) return this.problem('period_past');
    const later = notice.sendAt && notice.sendAt.getTime() > now.getTime() ? notice.sendAt : undefined;
    const sendAt = later ?? now;
    const published: Notice = {
      ...notice,
      status: later ? 'scheduled' : 'published',
      publishedBy: actor.id,
      publishedAt: now,
      updatedAt: now,
    };
    await tx.saveNotice(published);
    const payload = { noticeId: id };
    const job = (type: string, dueAt: Date) =>
      tx.scheduleJob({ id: this.ctx.newId(), type, key: `${type}:${id}`, dueAt, payload }, now);
    await job('notice.send', sendAt);
    await job('notice.expire', notice.validTo);
    const reminder = await this.reminderAt(tx, notice, sendAt);
    if (reminder) await job('notice.remind', reminder);
    await this.kit.postStatus(tx, published, 'send');
    this.ctx.log.info({ notice: id, by: actor.id, sendAt: sendAt.toISOString() }, 'notice published');
    const lines = [
      this.kit.staffT(later ? 'notice.staff.scheduled' : 'notice.staff.published', {
        id,
        time: this.kit.time(this.kit.sendTime(notice, sendAt)),
      }),
    ];
    const short = pestControlShortNotice(notice, now);
    if (short !== undefined)
      lines.push(this.kit.staffT('notice.preview.pest_warning', { days: Math.floor((short / DAY) * 10) / 10 }));
    return { ok: true, reply: via === 'room' && lines.length === 1 ? [] : [{ text: lines.join('\n') }] };
  }

  private async badState(notice: Notice): Promise<NoticeCommandResult> {
    return this.say('notice.refused.bad_state', {
      id: notice.id,
      status: this.kit.staffT(`notice.status.${notice.status}`),
    });
  }

  // ── corrections and cancellation ──────────────────────────────────────────

  async correct(
    tx: StoreTx,
    id: string,
    text: Partial<Record<Locale, string>>,
    actor: NoticeActor,
    via: NoticeVia,
  ): Promise<NoticeCommandResult> {
    const notice = await tx.getNotice(id);
    if (!notice) return this.say('notice.refused.unknown', { id });
    const now = this.kit.now();
    // A draft's words are simply replaced; it needs a new preview before publishing.
    if (noticeAllows(notice.status, 'edit')) {
      const edited: Notice = { ...notice, text, updatedAt: now };
      await tx.saveNotice(edited);
      return this.showPreview(tx, edited, actor, via);
    }
    if (!this.mayPublish(actor)) return this.say('notice.refused.not_supervisor');
    if (!noticeAllows(notice.status, 'correct') || !isShown({ ...notice, status: 'published' }, now))
      return this.badState(notice);
    const corrected: Notice = {
      ...notice,
      corrections: [...notice.corrections, { at: now, by: actor.id, text }],
      updatedAt: now,
    };
    await tx.saveNotice(corrected);
    const counts = await tx.countNoticeDeliveries(id);
    if (counts.sent > 0) await this.deliveries.updateSoon(tx, id);
    this.ctx.log.info({ notice: id, by: actor.id, owners: counts.sent }, 'notice corrected');
    const reply = { text: this.kit.staffT('notice.staff.corrected', { id, count: counts.sent }) };
    if (via === 'cli') await this.ctx.toStaff(tx, reply);
    return { ok: true, reply: [reply] };
  }

  async cancel(
    tx: StoreTx,
    id: string,
    actor: NoticeActor,
    via: NoticeVia,
    reason?: string,
  ): Promise<NoticeCommandResult> {
    const notice = await tx.getNotice(id);
    if (!notice) return this.say('notice.refused.unknown', { id });
    if (!noticeAllows(notice.status, 'cancel')) return this.badState(notice);
    // Anyone may discard a draft; what owners may have seen is withdrawn by a supervisor.
    if (notice.status !== 'draft' && !this.mayPublish(actor)) return this.say('notice.refused.not_supervisor');
    const now = this.kit.now();
    const cancelled: Notice = { ...notice, status: 'cancelled', cancelledAt: now, updatedAt: now };
    await tx.saveNotice(cancelled);
    for (const type of ['notice.send', 'notice.expire', 'notice.remind', 'notice.status'])
      await tx.cancelJobs(`${type}:${id}`, now);
    if (reason) await tx.setSetting(CANCEL_REASON_KEY(id), reason);
    const counts = await tx.countNoticeDeliveries(id);
    if (counts.sent > 0) await this.deliveries.updateSoon(tx, id);
    if (notice.status !== 'draft') await this.kit.postStatus(tx, cancelled, 'edit');
    this.ctx.log.info({ notice: id, by: actor.id, owners: counts.sent }, 'notice cancelled');
    const key = notice.status === 'draft' ? 'notice.staff.discarded' : 'notice.staff.cancelled';
    const reply = { text: this.kit.staffT(key, { id, count: counts.sent }) };
    if (via === 'cli' && notice.status !== 'draft') await this.ctx.toStaff(tx, reply);
    return { ok: true, reply: [reply] };
  }

  // ── lists and counts ────────────────────────────────────────────────────

  /** Drafts, scheduled and shown notices; nothing expired or cancelled. */
  async list(tx: StoreTx): Promise<NoticeCommandResult> {
    const now = this.kit.now();
    const notices = (await tx.listNotices({ statuses: ['draft', 'scheduled', 'published'], limit: 30 })).filter(
      (n) => n.status !== 'published' || isShown(n, now),
    );
    if (notices.length === 0) return { ok: true, reply: [{ text: this.kit.staffT('notice.staff.list_empty') }] };
    const lines = [this.kit.staffT('notice.staff.list_title')];
    for (const n of notices) {
      const counts = n.status === 'draft' ? undefined : await tx.countNoticeDeliveries(n.id);
      lines.push(this.kit.listLine(n, counts));
    }
    return { ok: true, reply: [{ text: lines.join('\n') }] };
  }

  /** One notice: its status line with sent / read counts, and who has and has not read it. */
  async show(tx: StoreTx, id: string): Promise<NoticeCommandResult> {
    const notice = await tx.getNotice(id);
    if (!notice) return this.say('notice.refused.unknown', { id });
    const counts = await tx.countNoticeDeliveries(id);
    const status = this.kit.statusMessage(notice, counts);
    const read: string[] = [];
    const unread: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await tx.listNoticeDeliveries(id, { limit: 200, ...(after ? { afterOwnerId: after } : {}) });
      for (const d of page) {
        const list = d.readAt ? read : unread;
        if (list.length >= NAMES_SHOWN) continue;
        const owner = await tx.getOwner(d.ownerId);
        const name = owner?.name ?? this.kit.staffT('notice.staff.anonymous');
        list.push(owner?.units.length ? `${name}（${owner.units.join('、')}）` : name);
      }
      if (page.length < 200) break;
      after = page.at(-1)?.ownerId;
    }
    const more = (shown: number, total: number) =>
      total > shown ? this.kit.staffT('notice.staff.more', { count: total - shown }) : '';
    const lines = [status.text];
    if (counts.read > 0)
      lines.push(this.kit.staffT('notice.staff.who_read', { names: read.join('、') + more(read.length, counts.read) }));
    if (counts.sent - counts.read > 0)
      lines.push(
        this.kit.staffT('notice.staff.who_unread', {
          names: unread.join('、') + more(unread.length, counts.sent - counts.read),
        }),
      );
    const { ref: _ref, ...message } = status;
    return { ok: true, reply: [{ ...message, text: lines.join('\n') }] };
  }
}
