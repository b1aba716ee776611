/**
 * The kinds of notice as staff name them (停水, 台风, pest …), and the rules that follow from a kind: which
 * go out in quiet hours, which may be marked urgent, which get the reminder the day before, and how far
 * ahead pest control must be announced (domain.md: three days).
 */
import { NOTICE_KINDS, type Notice, type NoticeKind } from '../ports/notices.js';

/** Words staff type for each kind (the first Chinese and the first English one are shown in help). */
export const KIND_WORDS: Readonly<Record<NoticeKind, readonly string[]>> = {
  outage_water: ['停水', '水', 'water'],
  outage_power: ['停电', '电', 'power', 'electricity'],
  outage_gas: ['停气', '燃气', '气', 'gas'],
  outage_heating: ['停暖', '暖气', '供暖', 'heating'],
  pest_control: ['消杀', '灭鼠', '除虫', '杀虫', '灭蟑', 'pest', 'pests'],
  meter: ['换表', '水表', '电表', '燃气表', 'meter', 'meters'],
  weather: ['天气', '台风', '暴雨', '暴雪', '大风', '寒潮', '预警', 'weather', 'storm', 'typhoon'],
  works: ['施工', '工程', '维修', '检修', 'works', 'work'],
  event: ['活动', 'event'],
  committee: ['业委会', '业主大会', '业主委员会', 'committee'],
  other: ['其他', '其它', '通知', 'other'],
};

/** The kind a word names, or undefined. `outage_water` and the other ids are accepted too. */
export function kindOf(word: string): NoticeKind | undefined {
  const w = word.trim().toLowerCase();
  if ((NOTICE_KINDS as readonly string[]).includes(w)) return w as NoticeKind;
  return NOTICE_KINDS.find((k) => KIND_WORDS[k].includes(w));
}

/** Words that mark an outage as urgent (an emergency cut, sent in quiet hours too). */
export const URGENT_WORDS: readonly string[] = ['紧急', '急', '抢修', 'urgent', 'emergency'];

const OUTAGES: readonly NoticeKind[] = ['outage_water', 'outage_power', 'outage_gas', 'outage_heating'];

export function isOutage(kind: NoticeKind): boolean {
  return OUTAGES.includes(kind);
}

/** Only an outage may be marked urgent; a weather warning always is. */
export function mayBeUrgent(kind: NoticeKind): boolean {
  return isOutage(kind) || kind === 'weather';
}

/** Sent in quiet hours too: a storm or weather warning, and an outage marked urgent. */
export function sendsInQuietHours(notice: Pick<Notice, 'kind' | 'urgent'>): boolean {
  return notice.kind === 'weather' || (notice.urgent && isOutage(notice.kind));
}

const DAY = 24 * 3_600_000;
/** Pest control is announced this long before it starts. */
export const PEST_CONTROL_NOTICE_MS = 3 * DAY;

/**
 * For pest control announced less than three days ahead: how long ahead it is (0 when already started);
 * undefined when the notice is not pest control or is early enough.
 */
export function pestControlShortNotice(
  notice: Pick<Notice, 'kind' | 'validFrom' | 'sendAt'>,
  now: Date,
): number | undefined {
  if (notice.kind !== 'pest_control') return undefined;
  const sent = notice.sendAt && notice.sendAt.getTime() > now.getTime() ? notice.sendAt : now;
  const ahead = notice.validFrom.getTime() - sent.getTime();
  return ahead < PEST_CONTROL_NOTICE_MS ? Math.max(0, ahead) : undefined;
}

/**
 * When unread owners are reminded of an outage: a day before it starts, if that is at least twelve hours
 * after the notice goes out (sooner, the notice itself is fresh enough). Undefined for other kinds.
 */
export function reminderTime(notice: Pick<Notice, 'kind' | 'validFrom'>, sentAt: Date): Date | undefined {
  if (!isOutage(notice.kind)) return undefined;
  const at = new Date(notice.validFrom.getTime() - DAY);
  return at.getTime() - sentAt.getTime() >= DAY / 2 ? at : undefined;
}
