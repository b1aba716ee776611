/**
 * Reads the appointment time a staff member types: 2026-11-29 14:00, 11-29 14:00, 11/29 14:00,
 * 明天14:00 / 后天 9:30 / 今天 16:00, tomorrow 14:00, or a bare 14:00 (today if still ahead, else
 * tomorrow), each optionally with 上午 / 下午 / 晚上 / 凌晨 before the time. Times are local to the business
 * time zone.
 */
import { DateTime } from 'luxon';
import { toHalfWidth } from '../core/location.js';

export interface ParsedTime {
  at: Date;
  /** The text after the time (a note). */
  rest: string;
  /**
   * The time falls in the small hours (00:00–05:59) and nothing said so (凌晨, 上午, 早上): usually a
   * slip for the afternoon (明天3点 meaning 15:00), so the desk asks rather than sending it to the owner.
   */
  smallHours?: boolean;
}

/** 上午, 下午 …: before the clock time. */
const PERIOD = String.raw`(上午|早上|中午|下午|晚上|凌晨)?\s*`;
/** 14:00, 14：00, 14点, 14点30分, 14点半 (half past). */
const CLOCK = String.raw`(\d{1,2})[:：点](\d{2}|半)?分?`;
const FULL = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})日?\s*${PERIOD}${CLOCK}`);
const MONTH_DAY = new RegExp(String.raw`^(\d{1,2})[-/.月](\d{1,2})[日号]?\s*${PERIOD}${CLOCK}`);
const RELATIVE = new RegExp(String.raw`^(今天|明天|后天|today|tomorrow)\s*${PERIOD}${CLOCK}`, 'i');
const BARE = new RegExp(`^${PERIOD}${CLOCK}`);

export function parseStaffTime(text: string, now: Date, zone: string): ParsedTime | undefined {
  const s = toHalfWidth(text.trim());
  const local = DateTime.fromJSDate(now, { zone });
  const build = (d: DateTime, period: string | undefined, h: string | undefined, m: string | undefined) => {
    let hour = Number(h);
    if ((period === '下午' || period === '晚上') && hour < 12) hour += 12;
    if (period === '中午' && hour < 6) hour += 12;
    const minute = m === '半' ? 30 : Number(m ?? 0);
    if (hour > 23 || minute > 59) return undefined;
    const at = d.set({ hour, minute, second: 0, millisecond: 0 });
    return at.isValid ? at : undefined;
  };
  const done = (at: DateTime | undefined, period: string | undefined, matched: string): ParsedTime | undefined =>
    at
      ? {
          at: at.toJSDate(),
          rest: s.slice(matched.length).trim(),
          ...(at.hour < 6 && !period ? { smallHours: true } : {}),
        }
      : undefined;
  let m = s.match(FULL);
  if (m) {
    const d = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { zone });
    return done(d.isValid ? build(d, m[4], m[5], m[6]) : undefined, m[4], m[0]);
  }
  m = s.match(MONTH_DAY);
  if (m) {
    let d = DateTime.fromObject({ year: local.year, month: Number(m[1]), day: Number(m[2]) }, { zone });
    if (d.isValid && d.endOf('day') < local) d = d.plus({ years: 1 });
    return done(d.isValid ? build(d, m[3], m[4], m[5]) : undefined, m[3], m[0]);
  }
  m = s.match(RELATIVE);
  if (m) {
    const word = m[1]?.toLowerCase();
    const days = word === '明天' || word === 'tomorrow' ? 1 : word === '后天' ? 2 : 0;
    return done(build(local.plus({ days }), m[2], m[3], m[4]), m[2], m[0]);
  }
  m = s.match(BARE);
  if (m && /[:：点]/.test(m[0])) {
    let at = build(local, m[1], m[2], m[3]);
    if (at && at <= local) at = at.plus({ days: 1 });
    return done(at, m[1], m[0]);
  }
  return undefined;
}
