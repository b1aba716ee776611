/**
 * The times of a notice as staff type them and as owners read them, in the estate's time zone.
 *
 * Reading (`readPeriod`, `readInstant`): a date (`2026-12-08`, `12-08`, `12/8`, `12月8日`, 今天 / 明天 /
 * 后天, today / tomorrow) with an optional clock time (`9:00`, `9点`, `9点半`, `下午3点`), and for a period
 * a second time or date after `-`, `~`, `至`, `到` or `to`: `12-08 9:00-17:00`, `12-08 9:00 ~ 12-09 12:00`,
 * `12-08~12-10` (whole days), `明天` (all day). Each reader takes what it recognises at the start of the
 * text and hands back the rest, so the one-line form can carry the notice's words after it.
 *
 * Writing (`formatNoticeTime`, `formatNoticePeriod`): 12月8日（周二）上午9:00, 12月8日（周二）上午9:00至下午5:00,
 * 12月8日（周二）全天; Tue 8 Dec, 9:00 am – 5:00 pm. Pure: the clock and the zone are passed in.
 */
import { DateTime } from 'luxon';
import { toHalfWidth } from '../location.js';
import { zhClockTime } from '../time.js';
import type { Locale } from '../types.js';

const DATE_FULL = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?/;
const DATE_MONTH_DAY = /^(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?![\d:：点])\s*[日号]?/;
const DATE_WORD = /^(今天|今日|明天|明日|后天|today|tomorrow)/i;
const PERIOD_WORD = '(上午|早上|早晨|中午|下午|傍晚|晚上|凌晨|am|pm)?';
const TIME = new RegExp(
  String.raw`^${PERIOD_WORD}\s*(\d{1,2})(?:\s*[:：]\s*(\d{2})|\s*点\s*(半|\d{1,2})?\s*分?)\s*(am|pm)?`,
  'i',
);
const SEPARATOR = /^\s*(?:-|~|～|至|到|—|–|to)\s*/i;

interface Day {
  year: number;
  month: number;
  day: number;
}

/** A wall-clock time read at the start of `s`: hour, minute, and how much text it took. */
function readClock(s: string): { hour: number; minute: number; used: number } | undefined {
  const m = s.match(TIME);
  if (!m) return undefined;
  let hour = Number(m[2]);
  const minute = m[3] !== undefined ? Number(m[3]) : m[4] === '半' ? 30 : m[4] !== undefined ? Number(m[4]) : 0;
  const period = (m[1] ?? m[5] ?? '').toLowerCase();
  if (['下午', '傍晚', '晚上', 'pm'].includes(period) && hour < 12) hour += 12;
  if (period === '中午' && hour < 6) hour += 12;
  if (['am', '凌晨', '上午', '早上', '早晨'].includes(period) && hour === 12) hour = 0;
  if (hour > 24 || minute > 59 || (hour === 24 && minute > 0)) return undefined;
  return { hour, minute, used: m[0].length };
}

/** A date read at the start of `s`, relative to `now` in `zone` (a month-day already past is next year's). */
function readDay(s: string, now: DateTime): { day: Day; used: number } | undefined {
  let m = s.match(DATE_FULL);
  if (m) return valid({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, m[0].length, now.zone.name);
  m = s.match(DATE_MONTH_DAY);
  if (m) {
    const day = { year: now.year, month: Number(m[1]), day: Number(m[2]) };
    const at = DateTime.fromObject(day, { zone: now.zone });
    if (at.isValid && at.endOf('day') < now.minus({ days: 7 })) day.year += 1;
    return valid(day, m[0].length, now.zone.name);
  }
  m = s.match(DATE_WORD);
  if (m?.[1]) {
    const word = m[1].toLowerCase();
    const plus = word === '今天' || word === '今日' || word === 'today' ? 0 : word === '后天' ? 2 : 1;
    const d = now.plus({ days: plus });
    return { day: { year: d.year, month: d.month, day: d.day }, used: m[0].length };
  }
  return undefined;
}

function valid(day: Day, used: number, zone: string): { day: Day; used: number } | undefined {
  return DateTime.fromObject(day, { zone }).isValid ? { day, used } : undefined;
}

function at(day: Day, hour: number, minute: number, zone: string): Date {
  const base = DateTime.fromObject(day, { zone }).startOf('day');
  return base.plus({ hours: hour, minutes: minute }).toJSDate();
}

/** Skips spaces and a comma after a time. */
function skip(s: string, used: number): string {
  return s.slice(used).replace(/^[\s,，]+/, '');
}

export interface ReadPeriod {
  from: Date;
  to: Date;
  /** The text after the period. */
  rest: string;
}

/**
 * A period at the start of `text`; undefined when it does not start with a date. A date without a time
 * is the whole day; a start time without an end runs to the end of that day. An end before the start is
 * returned as it is (the caller refuses it with its own words).
 */
export function readPeriod(text: string, now: Date, zone: string): ReadPeriod | undefined {
  const local = DateTime.fromJSDate(now, { zone });
  let s = toHalfWidth(text.trim());
  const first = readDay(s, local);
  if (!first) return undefined;
  s = s.slice(first.used).trimStart();
  const startClock = readClock(s);
  if (startClock) s = s.slice(startClock.used);
  const from = startClock ? at(first.day, startClock.hour, startClock.minute, zone) : at(first.day, 0, 0, zone);
  const endOfFirst = at(first.day, 24, 0, zone);
  const sep = s.match(SEPARATOR);
  if (!sep) return { from, to: endOfFirst, rest: skip(s, 0) };
  const after = s.slice(sep[0].length);
  const secondDay = readDay(after, local);
  if (secondDay) {
    const tail = after.slice(secondDay.used).trimStart();
    const endClock = readClock(tail);
    const to = endClock ? at(secondDay.day, endClock.hour, endClock.minute, zone) : at(secondDay.day, 24, 0, zone);
    return { from, to, rest: skip(tail, endClock?.used ?? 0) };
  }
  const endClock = startClock ? readClock(after) : undefined;
  if (!endClock) return { from, to: endOfFirst, rest: skip(s, 0) };
  return { from, to: at(first.day, endClock.hour, endClock.minute, zone), rest: skip(after, endClock.used) };
}

/**
 * An instant at the start of `text`: `now` / `现在` / `立即`, or a date with a clock time (`明天18:00`,
 * `12-07 18:00`). A date alone means 09:00 that day. Undefined when the text does not start with one.
 */
export function readInstant(text: string, now: Date, zone: string): { at: Date; rest: string } | undefined {
  const s = toHalfWidth(text.trim());
  const word = s.match(/^(now|现在|立即|马上)/i);
  if (word) return { at: now, rest: skip(s, word[0].length) };
  const local = DateTime.fromJSDate(now, { zone });
  const day = readDay(s, local);
  if (!day) return undefined;
  const tail = s.slice(day.used).trimStart();
  const clock = readClock(tail);
  return {
    at: at(day.day, clock?.hour ?? 9, clock?.minute ?? 0, zone),
    rest: skip(tail, clock?.used ?? 0),
  };
}

// ── writing ──────────────────────────────────────────────────────────────

const ZH_WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

function zhClock(d: DateTime): string {
  return zhClockTime(d.hour, d.minute);
}

function enClock(d: DateTime): string {
  return d.toFormat('h:mm a').toLowerCase();
}

function zhDay(d: DateTime): string {
  return `${d.month}月${d.day}日（${ZH_WEEKDAYS[d.weekday]}）`;
}

function enDay(d: DateTime): string {
  return d.setLocale('en-GB').toFormat('ccc d LLL');
}

/** An instant as owners read it: 12月8日（周二）上午10:00 · Tue 8 Dec, 10:00 am. */
export function formatNoticeTime(instant: Date, locale: Locale, zone: string): string {
  const d = DateTime.fromJSDate(instant, { zone });
  return locale === 'zh-CN' ? `${zhDay(d)}${zhClock(d)}` : `${enDay(d)}, ${enClock(d)}`;
}

/**
 * A period as owners read it: the same day once (12月8日（周二）上午9:00至下午5:00), whole days as such
 * (12月8日（周二）全天, 12月8日（周二）至12月10日（周四）), and anything else from one instant to the other.
 */
export function formatNoticePeriod(from: Date, to: Date, locale: Locale, zone: string): string {
  const a = DateTime.fromJSDate(from, { zone });
  const b = DateTime.fromJSDate(to, { zone });
  const zh = locale === 'zh-CN';
  const day = zh ? zhDay : enDay;
  const clock = zh ? zhClock : enClock;
  const midnight = (d: DateTime) => d.hour === 0 && d.minute === 0;
  if (midnight(a) && midnight(b)) {
    const last = b.minus({ days: 1 });
    if (last.hasSame(a, 'day')) return zh ? `${day(a)}全天` : `${day(a)}, all day`;
    return zh ? `${day(a)}至${day(last)}` : `${day(a)} – ${day(last)}`;
  }
  const endOfDay = midnight(b) && b.minus({ days: 1 }).hasSame(a, 'day');
  if (b.hasSame(a, 'day') || endOfDay) {
    if (endOfDay) return zh ? `${day(a)}${clock(a)}起` : `${day(a)}, from ${clock(a)}`;
    return zh ? `${day(a)}${clock(a)}至${clock(b)}` : `${day(a)}, ${clock(a)} – ${clock(b)}`;
  }
  return zh ? `${day(a)}${clock(a)}至${day(b)}${clock(b)}` : `${day(a)}, ${clock(a)} – ${day(b)}, ${clock(b)}`;
}
