/**
 * Notices (通知公告): what the service centre announces ahead of anything that touches daily life, each
 * valid for a period, and who it was delivered to and who read it (one delivery per notice and owner, so
 * a restart never sends twice).
 */
import type { Channel, Locale } from '../types.js';

export const NOTICE_KINDS = [
  'outage_water',
  'outage_power',
  'outage_gas',
  'outage_heating',
  'pest_control',
  'meter',
  'weather',
  'works',
  'event',
  'committee',
  'other',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * - `draft`: being written, not seen by owners;
 * - `scheduled`: published by a supervisor, to be sent at `sendAt`;
 * - `published`: sent (or being sent) and within its validity;
 * - `cancelled`: withdrawn (everyone who received it was told);
 * - `expired`: past `validTo` (taken down by the expiry job).
 */
export type NoticeStatus = 'draft' | 'scheduled' | 'published' | 'cancelled' | 'expired';

/**
 * Who a notice is for: the whole estate, or places — a building (`3`) or one unit (单元) of a building
 * (`3-2`); an owner of 3-2-501 is in both.
 */
export type NoticeTarget = { kind: 'all' } | { kind: 'places'; places: string[] };

export interface Notice {
  /** Short and typed by people: N001. */
  id: string;
  kind: NoticeKind;
  /** Sent in quiet hours too (storms, an emergency outage). */
  urgent: boolean;
  target: NoticeTarget;
  /** The text, written once per language; owners in a language without one get the other. */
  text: Partial<Record<Locale, string>>;
  /** A photo to send with it (a platform file reference, meaningful on its channel only). */
  photo?: { channel: Channel; fileRef: string };
  /** What the notice is about starts / ends (停水 9:00–17:00); it is shown from sending until `validTo`. */
  validFrom: Date;
  validTo: Date;
  /** When to send it; none means at publishing. */
  sendAt?: Date;
  status: NoticeStatus;
  /** Staff id, or `cli:<user>`. */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** When a supervisor last saw it as owners will (publishing needs a preview after the last change). */
  previewedAt?: Date;
  publishedBy?: string;
  publishedAt?: Date;
  /** When every targeted owner had been sent it. */
  sentDoneAt?: Date;
  /** Corrections sent after publishing, oldest first. */
  corrections: { at: Date; by: string; text: Partial<Record<Locale, string>> }[];
  cancelledAt?: Date;
  expiredAt?: Date;
  /** When unread owners were reminded (outages: the day before). */
  remindedAt?: Date;
}

/** One notice sent to one owner (unique per notice and owner). */
export interface NoticeDelivery {
  noticeId: string;
  ownerId: string;
  channel: Channel;
  chatId: string;
  sentAt: Date;
  /** When the owner pressed "知道了". */
  readAt?: Date;
  remindedAt?: Date;
  /** How many corrections (and the cancellation, counted as one more) this owner was sent. */
  updatesSent: number;
}

export interface NoticeCounts {
  sent: number;
  read: number;
}

export interface NoticeStore {
  /** Inserts a notice; StoreError STORE_CONFLICT when its id is taken. */
  createNotice(notice: Notice): Promise<void>;
  /** Replaces a notice (by id). */
  saveNotice(notice: Notice): Promise<void>;
  getNotice(id: string): Promise<Notice | undefined>;
  /**
   * Newest first (createdAt, then id, descending), at most `limit` (default 100). `activeAt`: only
   * those published with `validTo` after that instant.
   */
  listNotices(filter?: { statuses?: NoticeStatus[]; activeAt?: Date; limit?: number }): Promise<Notice[]>;
  /** Records a delivery; false (and nothing changes) when this owner already has one for this notice. */
  addNoticeDelivery(delivery: NoticeDelivery): Promise<boolean>;
  getNoticeDelivery(noticeId: string, ownerId: string): Promise<NoticeDelivery | undefined>;
  saveNoticeDelivery(delivery: NoticeDelivery): Promise<void>;
  /** A notice's deliveries in owner id order, after `afterOwnerId` when given, at most `limit` (default 100). */
  listNoticeDeliveries(
    noticeId: string,
    filter?: { unread?: boolean; afterOwnerId?: string; limit?: number },
  ): Promise<NoticeDelivery[]>;
  countNoticeDeliveries(noticeId: string): Promise<NoticeCounts>;
}
