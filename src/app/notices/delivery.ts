/**
 * Getting a published notice to its owners and keeping it true, as jobs in the scheduler's transaction:
 *
 *   notice.send    one batch (per channel, up to its batch size) of owners in the target who have no
 *                  delivery yet; the delivery row is written first and the message with it, so a restart
 *                  or a re-run never sends twice. In quiet hours a notice that is not urgent waits for the
 *                  morning. The next batch is a new job, so no transaction holds thousands of owners:
 *                  owners are read a page at a time from where the last batch stopped.
 *   notice.update  a correction or the cancellation, to everyone who received the notice (each delivery
 *                  counts the updates it was sent, so it is sent once).
 *   notice.remind  outages: the day before, unread owners are reminded once.
 *   notice.expire  at `validTo` the notice comes down and the staff group is told.
 *   notice.status  the staff group's counts refreshed, at most once per `statusDelayMs` while owners read.
 *
 * Owners who opted out of surveys still get notices (service information); unreachable owners are skipped.
 */

import { noticeAllows, textIn } from '../../core/notices/lifecycle.js';
import type { Job, Notice, NoticeDelivery, StoreTx } from '../../core/ports.js';
import type { Address, Channel, Locale, MessagePurpose, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { JobHandler } from '../scheduler.js';
import type { NoticeSupport } from './support.js';

/** Deliveries read per page when walking a notice's receivers. */
const PAGE = 500;

export const CANCEL_REASON_KEY = (id: string) => `notice.cancel-reason:${id}`;

export class NoticeDeliveries {
  private readonly ctx: AppContext;

  constructor(private readonly kit: NoticeSupport) {
    this.ctx = kit.ctx;
  }

  jobHandlers(): Record<string, JobHandler> {
    return {
      'notice.send': (job, tx) => this.sendBatch(job, tx),
      'notice.update': (job, tx) => this.updateBatch(job, tx),
      'notice.remind': (job, tx) => this.remindBatch(job, tx),
      'notice.expire': (job, tx) => this.expire(job, tx),
      'notice.status': async (job, tx) => {
        const notice = await tx.getNotice(String(job.payload.noticeId));
        if (notice) await this.kit.postStatus(tx, notice, 'edit');
      },
    };
  }

  /** Schedules the refresh of the staff group's counts (one pending at a time per notice). */
  async statusSoon(tx: StoreTx, noticeId: string): Promise<void> {
    const now = this.kit.now();
    await tx.scheduleJob(
      {
        id: this.ctx.newId(),
        type: 'notice.status',
        key: `notice.status:${noticeId}`,
        dueAt: new Date(now.getTime() + this.kit.statusDelayMs),
        payload: { noticeId },
      },
      now,
    );
  }

  /** Schedules the sending of a correction or the cancellation to everyone who received the notice. */
  async updateSoon(tx: StoreTx, noticeId: string): Promise<void> {
    const now = this.kit.now();
    await tx.scheduleJob(
      {
        id: this.ctx.newId(),
        type: 'notice.update',
        key: `notice.update:${noticeId}`,
        dueAt: now,
        payload: { noticeId },
      },
      now,
    );
  }

  /** A notice's deliveries by owner id, read a page at a time as the walk goes on (a full batch stops it). */
  private async *deliveriesOf(tx: StoreTx, noticeId: string, unread = false): AsyncGenerator<NoticeDelivery> {
    let after: string | undefined;
    for (;;) {
      const page = await tx.listNoticeDeliveries(noticeId, {
        limit: PAGE,
        ...(unread ? { unread: true } : {}),
        ...(after ? { afterOwnerId: after } : {}),
      });
      yield* page;
      if (page.length < PAGE) return;
      after = page.at(-1)?.ownerId;
    }
  }

  /** The owners after `afterId` in id order, read a page at a time as the walk goes on (a full batch stops it). */
  private async *ownersFrom(tx: StoreTx, afterId: string | undefined): AsyncGenerator<Owner> {
    let after = afterId;
    for (;;) {
      const page = await tx.listOwnersAfter(after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page.at(-1)?.id;
    }
  }

  /** In quiet hours a notice that may not wake owners runs again in the morning: true when put off. */
  private async waitForMorning(tx: StoreTx, job: Job, notice: Notice, now: Date): Promise<boolean> {
    const allowed = this.kit.sendTime(notice, now);
    if (allowed.getTime() <= now.getTime()) return false;
    await tx.scheduleJob({ id: this.ctx.newId(), type: job.type, dueAt: allowed, payload: job.payload }, now);
    this.ctx.log.info({ notice: notice.id, job: job.type, at: allowed.toISOString() }, 'notice waits for the morning');
    return true;
  }

  /** The job again one interval later; `payload` replaces the job's own (a send's cursor). */
  private async nextBatch(tx: StoreTx, job: Job, now: Date, payload = job.payload): Promise<void> {
    await tx.scheduleJob(
      {
        id: this.ctx.newId(),
        type: job.type,
        dueAt: new Date(now.getTime() + this.kit.batchIntervalMs),
        payload,
      },
      now,
    );
  }

  /** Job `notice.send`: see the module comment. */
  private async sendBatch(job: Job, tx: StoreTx): Promise<void> {
    const found = await tx.getNotice(String(job.payload.noticeId));
    const now = this.kit.now();
    if (!found || !noticeAllows(found.status, 'send') || found.validTo.getTime() <= now.getTime()) return;
    if (await this.waitForMorning(tx, job, found, now)) return;
    let notice: Notice = found.status === 'scheduled' ? { ...found, status: 'published', updatedAt: now } : found;
    const used = new Map<Channel, number>();
    const full = (ch: Channel) => (used.get(ch) ?? 0) >= this.kit.limitOf(ch);
    // Owners page by page from where the last batch stopped: the last owner before the first who waited.
    let cursor = typeof job.payload.afterOwnerId === 'string' ? job.payload.afterOwnerId : undefined;
    let waiting = 0;
    let afterWait = 0;
    let count = 0;
    const pass = (owner: Owner) => {
      if (waiting === 0) cursor = owner.id;
    };
    for await (const owner of this.ownersFrom(tx, cursor)) {
      // Once one owner waits, a page more is looked at for other platforms' owners, then the rest next batch.
      if (waiting > 0 && ++afterWait > PAGE) break;
      if (!this.kit.isFor(notice, owner)) {
        pass(owner);
        continue;
      }
      if (owner.identities.length > 0 && owner.identities.every((i) => full(i.channel))) {
        waiting += 1;
        continue;
      }
      if (await tx.getNoticeDelivery(notice.id, owner.id)) {
        pass(owner);
        continue;
      }
      const address = await this.kit.addressOf(tx, owner);
      if (!address) {
        pass(owner);
        continue;
      }
      if (full(address.channel)) {
        waiting += 1;
        continue;
      }
      pass(owner);
      // The row first: a second run (a restart, a retried job) finds it and sends nothing.
      const added = await tx.addNoticeDelivery({
        noticeId: notice.id,
        ownerId: owner.id,
        channel: address.channel,
        chatId: address.chatId,
        sentAt: now,
        updatesSent: notice.corrections.length,
      });
      if (!added) continue;
      await this.ctx.sendTo(tx, address, {
        ...this.kit.ownerMessage(notice, owner.locale, address.channel),
        purpose: this.purpose(notice, owner.locale),
      });
      used.set(address.channel, (used.get(address.channel) ?? 0) + 1);
      count += 1;
    }
    if (waiting > 0)
      await this.nextBatch(tx, job, now, { ...job.payload, ...(cursor !== undefined ? { afterOwnerId: cursor } : {}) });
    else notice = { ...notice, sentDoneAt: now, updatedAt: now };
    if (notice !== found) await tx.saveNotice(notice);
    // The group's counts: when sending starts from a schedule and when it ends (not on a run that sent nothing).
    if (found.status === 'scheduled' || (waiting === 0 && (count > 0 || !found.sentDoneAt)))
      await this.kit.postStatus(tx, notice, 'edit');
    this.ctx.log.info({ notice: notice.id, sent: count, waiting }, 'notice batch written');
  }

  /** What a notice's messages are for: the notice, named by its kind (停水, 停电 …) in the owner's language. */
  private purpose(notice: Notice, locale: Locale): MessagePurpose {
    return { kind: 'notice', ref: notice.id, title: this.ctx.t(locale, `notice.kind.${notice.kind}`) };
  }

  /** Job `notice.update`: the latest correction, or the cancellation, to each owner who has not had it. */
  private async updateBatch(job: Job, tx: StoreTx): Promise<void> {
    const notice = await tx.getNotice(String(job.payload.noticeId));
    const now = this.kit.now();
    if (!notice) return;
    const cancelled = notice.status === 'cancelled';
    const target = notice.corrections.length + (cancelled ? 1 : 0);
    if (target === 0 || (!cancelled && !noticeAllows(notice.status, 'correct'))) return;
    if (await this.waitForMorning(tx, job, notice, now)) return;
    const reason = cancelled ? await tx.getSetting(CANCEL_REASON_KEY(notice.id)) : undefined;
    const deliveries = filtered(this.deliveriesOf(tx, notice.id), (d) => d.updatesSent < target);
    const waiting = await this.inBatch(tx, deliveries, async (delivery, owner) => {
      await tx.saveNoticeDelivery({ ...delivery, updatesSent: target });
      const address: Address = { channel: delivery.channel, chatId: delivery.chatId };
      await this.ctx.sendTo(tx, address, {
        text: this.updateText(notice, owner, reason),
        purpose: this.purpose(notice, owner.locale),
      });
    });
    if (waiting) await this.nextBatch(tx, job, now);
  }

  /**
   * Sends to the reachable owners of `deliveries`, at most each platform's batch a run (the rest wait for the
   * next batch); true when some are waiting.
   */
  private async inBatch(
    tx: StoreTx,
    deliveries: AsyncIterable<NoticeDelivery>,
    send: (delivery: NoticeDelivery, owner: Owner) => Promise<void>,
  ): Promise<boolean> {
    const used = new Map<Channel, number>();
    let waiting = false;
    let afterWait = 0;
    for await (const delivery of deliveries) {
      // Once one waits, a page more is looked at for other platforms' owners; the rest wait for the next batch.
      if (waiting && ++afterWait > PAGE) break;
      const owner = await tx.getOwner(delivery.ownerId);
      if (!owner || owner.unreachable) continue;
      const n = used.get(delivery.channel) ?? 0;
      if (n >= this.kit.limitOf(delivery.channel)) {
        waiting = true;
        continue;
      }
      used.set(delivery.channel, n + 1);
      await send(delivery, owner);
    }
    return waiting;
  }

  private updateText(notice: Notice, owner: Owner, reason: string | undefined): string {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(owner.locale, k, p);
    const kind = t(`notice.kind.${notice.kind}`);
    if (notice.status === 'cancelled') {
      return t(reason ? 'notice.owner.cancelled_reason' : 'notice.owner.cancelled', {
        id: notice.id,
        kind,
        period: this.kit.period(notice, owner.locale),
        reason: reason ?? '',
      });
    }
    const latest = notice.corrections.at(-1);
    return t('notice.owner.correction', {
      id: notice.id,
      kind,
      period: this.kit.period(notice, owner.locale),
      text: latest ? textIn(latest.text, owner.locale) : '',
    });
  }

  /** Job `notice.remind`: unread owners, once, the day before an outage. */
  private async remindBatch(job: Job, tx: StoreTx): Promise<void> {
    const notice = await tx.getNotice(String(job.payload.noticeId));
    const now = this.kit.now();
    if (notice?.status !== 'published' || notice.validFrom.getTime() <= now.getTime()) return;
    const allowed = this.kit.sendTime(notice, now);
    if (allowed.getTime() >= notice.validFrom.getTime()) return; // the morning is too late for a reminder
    if (await this.waitForMorning(tx, job, notice, now)) return;
    const unread = filtered(this.deliveriesOf(tx, notice.id, true), (d) => !d.remindedAt && !d.readAt);
    const waiting = await this.inBatch(tx, unread, async (delivery, owner) => {
      await tx.saveNoticeDelivery({ ...delivery, remindedAt: now });
      const message = this.kit.ownerMessage(notice, owner.locale, delivery.channel);
      const { photos: _photos, ...withoutPhoto } = message;
      await this.ctx.sendTo(
        tx,
        { channel: delivery.channel, chatId: delivery.chatId },
        {
          ...withoutPhoto,
          text: `${this.ctx.t(owner.locale, 'notice.owner.reminder_lead')}\n\n${message.text}`,
          purpose: this.purpose(notice, owner.locale),
        },
      );
    });
    if (waiting) await this.nextBatch(tx, job, now);
    else await tx.saveNotice({ ...notice, remindedAt: now, updatedAt: now });
  }

  /** Job `notice.expire`: the notice comes down at `validTo`; the staff group is told with its counts. */
  private async expire(job: Job, tx: StoreTx): Promise<void> {
    const notice = await tx.getNotice(String(job.payload.noticeId));
    const now = this.kit.now();
    if (!notice || !noticeAllows(notice.status, 'expire')) return;
    const expired: Notice = { ...notice, status: 'expired', expiredAt: now, updatedAt: now };
    await tx.saveNotice(expired);
    await tx.cancelJobs(`notice.remind:${notice.id}`, now);
    await tx.cancelJobs(`notice.status:${notice.id}`, now);
    const counts = await tx.countNoticeDeliveries(notice.id);
    await this.kit.postStatus(tx, expired, 'edit');
    await this.ctx.toStaff(tx, {
      text: this.kit.staffT('notice.staff.expired', {
        id: notice.id,
        kind: this.kit.staffT(`notice.kind.${notice.kind}`),
        target: this.kit.targetText(notice.target),
        sent: counts.sent,
        read: counts.read,
      }),
    });
    this.ctx.log.info({ notice: notice.id, sent: counts.sent, read: counts.read }, 'notice expired');
  }
}

/** The items of `source` that `keep` accepts, as they come. */
async function* filtered<T>(source: AsyncIterable<T>, keep: (item: T) => boolean): AsyncGenerator<T> {
  for await (const item of source) if (keep(item)) yield item;
}
