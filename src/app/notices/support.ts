/**
 * What every notices module shares: the options and their defaults, and how a notice reads — to owners
 * (the message with its ✅ button, in their language), to staff (the preview as owners will see it, the
 * status line with sent / read counts), and the places it is for.
 */

import { sendsInQuietHours } from '../../core/notices/kinds.js';
import { textIn } from '../../core/notices/lifecycle.js';
import { targetIncludes } from '../../core/notices/target.js';
import { formatNoticePeriod, formatNoticeTime } from '../../core/notices/when.js';
import type { Notice, NoticeCounts, NoticeTarget, StoreTx } from '../../core/ports.js';
import { encodeNoticeButton } from '../../core/protocol/notice-buttons.js';
import { nextAllowed } from '../../core/time.js';
import type { Address, Channel, Locale, OutboundMessage, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';

export interface NoticeOptions {
  /** Owners written to per channel per batch (one job run); the outbox paces the platform itself. */
  batchSize?: Partial<Record<Channel, number>>;
  /** Time between two batches. */
  batchIntervalMs?: number;
  /** How long after the first read the staff group's counts are refreshed (at most once per this). */
  statusDelayMs?: number;
}

/**
 * Defaults: one message per owner, paced by the outbox (Telegram ~30 a second; a personal WeChat account
 * one every 1.5 s), so a batch is about a minute of each platform's sending and no transaction holds more.
 */
export const NOTICE_DEFAULTS = {
  batchSize: { telegram: 200, wechat: 30, console: 100 } as Record<Channel, number>,
  batchIntervalMs: 60_000,
  statusDelayMs: 30 * 60_000,
};

type Params = Record<string, string | number>;

export class NoticeSupport {
  readonly batchSize: Record<Channel, number>;
  readonly batchIntervalMs: number;
  readonly statusDelayMs: number;

  constructor(
    readonly ctx: AppContext,
    opts: NoticeOptions = {},
  ) {
    this.batchSize = { ...NOTICE_DEFAULTS.batchSize, ...opts.batchSize };
    this.batchIntervalMs = opts.batchIntervalMs ?? NOTICE_DEFAULTS.batchIntervalMs;
    this.statusDelayMs = opts.statusDelayMs ?? NOTICE_DEFAULTS.statusDelayMs;
  }

  now(): Date {
    return this.ctx.clock.now();
  }

  get zone(): string {
    return this.ctx.settings.timeZone;
  }

  staffT(key: string, params?: Params): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  limitOf(channel: Channel): number {
    return Math.max(1, this.batchSize[channel] ?? 10);
  }

  /** Now, or the end of quiet hours for a notice that waits for the morning. */
  sendTime(notice: Pick<Notice, 'kind' | 'urgent'>, at: Date): Date {
    return sendsInQuietHours(notice) ? at : nextAllowed(at, this.ctx.policy.quietHours, this.zone);
  }

  time(at: Date, locale: Locale = this.ctx.staffLocale): string {
    return formatNoticeTime(at, locale, this.zone);
  }

  period(notice: Pick<Notice, 'validFrom' | 'validTo'>, locale: Locale = this.ctx.staffLocale): string {
    return formatNoticePeriod(notice.validFrom, notice.validTo, locale, this.zone);
  }

  /** 全小区 · 3号楼、5号楼2单元 · Buildings 3, 5 unit 2. */
  targetText(target: NoticeTarget, locale: Locale = this.ctx.staffLocale): string {
    const t = (k: string, p?: Params) => this.ctx.t(locale, k, p);
    if (target.kind === 'all') return t('notice.target.all');
    const places = target.places.map((p) => {
      const [building = '', unit] = p.split('-');
      return unit ? t('notice.target.unit', { building, unit }) : t('notice.target.building', { building });
    });
    return places.join(t('notice.target.separator'));
  }

  /** The notice as an owner reads it, in their language, with the ✅ button; the photo on its own channel. */
  ownerMessage(notice: Notice, locale: Locale, channel: Channel, opts: { button?: boolean } = {}): OutboundMessage {
    const t = (k: string, p?: Params) => this.ctx.t(locale, k, p);
    const latest = notice.corrections.at(-1);
    const lines = [
      t('notice.owner.title', { kind: t(`notice.kind.${notice.kind}`) }),
      t('notice.owner.where', { target: this.targetText(notice.target, locale) }),
      t('notice.owner.when', { period: this.period(notice, locale) }),
      '',
      textIn(notice.text, locale),
      ...(latest ? ['', t('notice.owner.corrected', { text: textIn(latest.text, locale) })] : []),
      '',
      t('notice.owner.signature', { id: notice.id }),
    ];
    const photo = notice.photo?.channel === channel ? [notice.photo.fileRef] : [];
    return {
      text: lines.join('\n'),
      ...(photo.length ? { photos: photo } : {}),
      ...(opts.button === false
        ? {}
        : {
            buttons: [
              [
                {
                  label: t('notice.owner.read_button'),
                  data: encodeNoticeButton({ type: 'read', noticeId: notice.id }),
                },
              ],
            ],
          }),
    };
  }

  /** One line per notice in lists: N001 · 停水 · 3号楼、5号楼 · 12月8日… · 已发布. */
  listLine(notice: Notice, counts?: NoticeCounts): string {
    return this.staffT('notice.staff.list_line', {
      id: notice.id,
      kind: this.staffT(`notice.kind.${notice.kind}`),
      target: this.targetText(notice.target),
      period: this.period(notice),
      status: this.staffT(`notice.status.${notice.status}`),
      counts: counts ? this.staffT('notice.staff.counts', { sent: counts.sent, read: counts.read }) : '',
    });
  }

  /** The staff group's message about a published notice, kept up to date (ref `notice:<id>`). */
  statusMessage(notice: Notice, counts: NoticeCounts): OutboundMessage {
    const state =
      notice.status === 'scheduled' && notice.sendAt
        ? this.staffT('notice.staff.state_scheduled', { time: this.time(notice.sendAt) })
        : notice.status === 'published' && !notice.sentDoneAt
          ? this.staffT('notice.staff.state_sending')
          : this.staffT(`notice.status.${notice.status}`);
    return {
      text: this.staffT('notice.staff.status', {
        id: notice.id,
        kind: this.staffT(`notice.kind.${notice.kind}`),
        target: this.targetText(notice.target),
        period: this.period(notice),
        state,
        sent: counts.sent,
        read: counts.read,
        unread: counts.sent - counts.read,
      }),
      ref: `notice:${notice.id}`,
      buttons: [
        [
          {
            label: this.staffT('notice.button.status'),
            data: encodeNoticeButton({ type: 'staff', action: 'status', noticeId: notice.id }),
          },
        ],
      ],
    };
  }

  /** Posts (or edits in place, where the platform can) the staff group's status message of a notice. */
  async postStatus(tx: StoreTx, notice: Notice, mode: 'send' | 'edit'): Promise<void> {
    const counts = await tx.countNoticeDeliveries(notice.id);
    const message = this.statusMessage(notice, counts);
    if (mode === 'send') return this.ctx.toStaff(tx, message);
    const { ref: _ref, ...rest } = message;
    for (const room of this.ctx.staffRooms) {
      await this.ctx.enqueue(tx, room, { kind: 'edit', ref: `notice:${notice.id}`, message: rest });
    }
  }

  /** Whether an owner is among a notice's readers: reachable and in its target. */
  isFor(notice: Pick<Notice, 'target'>, owner: Owner): boolean {
    return !owner.unreachable && targetIncludes(notice.target, owner.units, owner.qrBuilding);
  }

  /** Where to reach an owner: the identity whose chat was active last. */
  async addressOf(tx: StoreTx, owner: Owner): Promise<Address | undefined> {
    let best: { address: Address; at: number } | undefined;
    for (const identity of owner.identities) {
      const thread = await tx.getThread(identity.channel, identity.chatId);
      const at = thread?.updatedAt.getTime() ?? -1;
      if (!best || at > best.at) best = { address: { channel: identity.channel, chatId: identity.chatId }, at };
    }
    return best?.address;
  }
}
