/**
 * A notice's life: drafted, previewed, published (now or at a set time), corrected, cancelled, expired.
 * Which action each status allows, whether owners may see it now, and which text an owner reads. Pure.
 *
 *   draft ──publish──▶ scheduled ──send──▶ published ──validTo──▶ expired
 *     │                   │                   │
 *     └──────cancel───────┴───────cancel──────┴──▶ cancelled
 */
import type { Notice, NoticeStatus } from '../ports/notices.js';
import type { Locale } from '../types.js';

export type NoticeAction = 'edit' | 'publish' | 'send' | 'correct' | 'cancel' | 'expire';

const ALLOWED: Record<NoticeAction, readonly NoticeStatus[]> = {
  /** A draft's text is replaced (it needs another preview). */
  edit: ['draft'],
  publish: ['draft'],
  send: ['scheduled', 'published'],
  /** After publishing a correction goes to everyone who received it. */
  correct: ['scheduled', 'published'],
  cancel: ['draft', 'scheduled', 'published'],
  expire: ['scheduled', 'published'],
};

export function noticeAllows(status: NoticeStatus, action: NoticeAction): boolean {
  return ALLOWED[action].includes(status);
}

/** Whether a supervisor has seen it as owners will since its last change (publishing needs that). */
export function previewCurrent(notice: Pick<Notice, 'previewedAt' | 'updatedAt'>): boolean {
  return notice.previewedAt !== undefined && notice.previewedAt.getTime() >= notice.updatedAt.getTime();
}

/** Whether owners may be shown it at `now`: published and not past its end. Nothing expired is ever shown. */
export function isShown(notice: Pick<Notice, 'status' | 'validTo'>, now: Date): boolean {
  return notice.status === 'published' && notice.validTo.getTime() > now.getTime();
}

/** Why a notice is no longer shown to owners, if it is not: for the answer to a late button press. */
export function goneReason(notice: Pick<Notice, 'status' | 'validTo'>, now: Date): 'cancelled' | 'expired' | undefined {
  if (notice.status === 'cancelled') return 'cancelled';
  if (notice.status === 'expired' || notice.validTo.getTime() <= now.getTime()) return 'expired';
  return undefined;
}

/** The text in the owner's language, else the other one (a notice is written once per language). */
export function textIn(text: Partial<Record<Locale, string>>, locale: Locale): string {
  return text[locale] ?? text[locale === 'zh-CN' ? 'en' : 'zh-CN'] ?? '';
}

/** `N7`, `n007` → `N007`; anything else unchanged (upper-cased) so it is refused as unknown. */
export function normaliseNoticeId(text: string): string {
  const m = text.trim().match(/^n0*(\d{1,6})$/i);
  return m ? `N${m[1]!.padStart(3, '0')}` : text.trim().toUpperCase();
}

export const NOTICE_ID = /^N\d{3,6}$/;

/** The id of the n-th notice: N001. */
export function noticeId(n: number): string {
  return `N${String(n).padStart(3, '0')}`;
}
