/**
 * Wall-clock rules in the estate's time zone: quiet hours, business hours, "tomorrow at 09:00".
 *
 * Pure: every function takes the IANA zone explicitly and works on UTC instants (`Date`); nothing here
 * reads the clock. Daily windows are {@link DailyWindow}s (minutes after local midnight, `start`
 * inclusive, `end` exclusive, wrapping past midnight when `end < start`) and are read on the local wall
 * clock, so 08:00 stays 08:00 across a daylight-saving change. A local time that does not exist (inside a
 * spring-forward gap) is moved forward by the gap, as luxon does; a repeated one means its first occurrence.
 * Durations, including business time, are real elapsed milliseconds.
 */
import { DateTime } from 'luxon';

/**
 * A daily time window in minutes after midnight, `start` inclusive and `end` exclusive (0–1440).
 * When `end` is before `start` the window wraps past midnight.
 */
export interface DailyWindow {
  readonly start: number;
  readonly end: number;
}

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** Whether `at` falls inside the daily window on the local clock of `zone`. An empty window (start = end) holds nothing. */
export function inWindow(at: Date, window: DailyWindow, zone: string): boolean {
  checkWindow(window);
  const minute = minuteOfDay(local(at, zone));
  if (window.start === window.end) return false;
  return window.start < window.end
    ? minute >= window.start && minute < window.end
    : minute >= window.start || minute < window.end;
}

/**
 * The first instant at or after `at` outside quiet hours: `at` itself when it is outside them (or quiet
 * hours are off), else the end of the quiet window, e.g. 08:00 the next morning for 21:00–08:00.
 */
export function nextAllowed(at: Date, quiet: DailyWindow | null, zone: string): Date {
  if (quiet === null || !inWindow(at, quiet, zone)) return at;
  const here = local(at, zone);
  const day = here.startOf('day');
  const endsTomorrow = quiet.start > quiet.end && minuteOfDay(here) >= quiet.start;
  return wallClock(endsTomorrow ? day.plus({ days: 1 }) : day, quiet.end).toJSDate();
}

/**
 * The last moment before quiet hours: `at` itself when it is outside them (or quiet hours are off), else
 * one minute before the quiet window that holds `at` began (20:59 for 21:00–08:00, the evening before
 * when `at` is 02:00). Moves a reminder earlier instead of into the night.
 */
export function lastAllowedBefore(at: Date, quiet: DailyWindow | null, zone: string): Date {
  if (quiet === null || !inWindow(at, quiet, zone)) return at;
  const here = local(at, zone);
  const day = here.startOf('day');
  const beganYesterday = quiet.start > quiet.end && minuteOfDay(here) < quiet.end;
  const began = wallClock(beganYesterday ? day.minus({ days: 1 }) : day, quiet.start);
  return new Date(began.toMillis() - MINUTE_MS);
}

/**
 * The instant at which `ms` of business time have passed since `start`, counting only time inside
 * `hours` on each local day (so 36 business hours of 08:00–20:00 are three working days). Counting begins
 * at `start`, or at the next opening when `start` is outside hours; an amount that runs out exactly at
 * closing time ends at closing time. `ms = 0` returns `start`. A 00:00–24:00 window is plain addition.
 * Throws a RangeError for a negative or non-finite amount, or a window that is empty or out of range.
 */
export function addBusinessTime(start: Date, ms: number, hours: DailyWindow, zone: string): Date {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Not an amount of business time: ${ms}`);
  checkOpenWindow(hours);
  const days = calendar(start, hours, zone);
  if (ms === 0) return start;
  if (isWholeDay(hours)) return new Date(start.getTime() + ms);
  const from = start.getTime();
  let remaining = ms;
  for (const [open, close] of openings(start, days)) {
    if (close <= from) continue;
    const begin = Math.max(open, from);
    const available = Math.max(0, close - begin);
    if (remaining <= available) return new Date(begin + remaining);
    remaining -= available;
  }
  throw new Error('unreachable: openings() never ends');
}

/**
 * Milliseconds of business time between two instants (the inverse of {@link addBusinessTime}), e.g. to
 * tell when half of a deadline has passed. Negative when `b` is before `a`. Throws a RangeError for a
 * window that is empty or out of range.
 */
export function businessTimeBetween(a: Date, b: Date, hours: DailyWindow, zone: string): number {
  checkOpenWindow(hours);
  const days = calendar(a, hours, zone);
  if (b.getTime() < a.getTime()) return -businessTimeBetween(b, a, hours, zone);
  if (isWholeDay(hours)) return b.getTime() - a.getTime();
  const from = a.getTime();
  const to = b.getTime();
  let total = 0;
  for (const [open, close] of openings(a, days)) {
    if (open >= to) break;
    total += Math.max(0, Math.min(close, to) - Math.max(open, from));
  }
  return total;
}

/**
 * The next instant strictly after `after` at which the local clock of `zone` shows `hhmm` (`"19:00"`,
 * `"09:30"`): this evening if it is still to come, else tomorrow. Throws a RangeError for anything but
 * `HH:mm` from 00:00 to 23:59.
 */
export function nextLocalTime(after: Date, hhmm: string, zone: string): Date {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  if (!match || hour > 23 || minute > 59) throw new RangeError(`Not a local time (HH:mm): ${JSON.stringify(hhmm)}`);
  const day = local(after, zone).startOf('day');
  const today = wallClock(day, hour * 60 + minute);
  if (today.toMillis() > after.getTime()) return today.toJSDate();
  return wallClock(day.plus({ days: 1 }), hour * 60 + minute).toJSDate();
}

const ZH_WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

/**
 * An instant as owners and staff read it, in `zone`: `12月8日（周二）上午10:00` in Chinese (weekday and
 * the part of the day on a 12-hour clock, see zhClockTime), `Tue 8 Dec, 10:00` in English. The one date
 * format of every card, timeline, reminder and owner message; a locale other than Chinese reads as English.
 */
export function formatLocalTime(at: Date, locale: string, zone: string): string {
  const dt = local(at, zone);
  if (locale.startsWith('zh')) {
    const weekday = ZH_WEEKDAYS[dt.weekday - 1] ?? '';
    return `${dt.month}月${dt.day}日（${weekday}）${zhClockTime(dt.hour, dt.minute)}`;
  }
  return dt.setLocale('en-GB').toFormat('ccc d LLL, HH:mm');
}

/**
 * A clock time as an older Chinese reader says it: the part of the day (凌晨 before 6, 上午, 中午 from 12 to 1,
 * 下午 until 6, 晚上) and a 12-hour clock — 上午10:00, 中午12:30, 晚上7:00. Cards, notices and owner messages
 * all say it this way.
 */
export function zhClockTime(hour: number, minute: number): string {
  const word = hour < 6 ? '凌晨' : hour < 12 ? '上午' : hour < 13 ? '中午' : hour < 18 ? '下午' : '晚上';
  const h12 = hour > 12 ? hour - 12 : hour;
  return `${word}${h12}:${String(minute).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------

function local(at: Date, zone: string): DateTime {
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid)
    throw new RangeError(`Cannot read ${String(at)} in time zone ${JSON.stringify(zone)}: ${dt.invalidReason}`);
  return dt;
}

/** Minutes since local midnight, with the seconds as a fraction. */
function minuteOfDay(dt: DateTime): number {
  return dt.hour * 60 + dt.minute + (dt.second * 1000 + dt.millisecond) / MINUTE_MS;
}

/** `minutes` after the local midnight that begins `day` on the wall clock; 1440 is the next midnight. */
function wallClock(day: DateTime, minutes: number): DateTime {
  const whole = minutes === DAY_MINUTES ? day.plus({ days: 1 }) : day;
  const rest = minutes % DAY_MINUTES;
  return whole.set({ hour: Math.floor(rest / 60), minute: rest % 60, second: 0, millisecond: 0 });
}

/** Business intervals `[open, close)` in epoch ms, from the local day before `from` on, without end. */
function* openings(from: Date, days: Calendar): Generator<[number, number]> {
  let day = days.day(days.containing(from.getTime()).previous);
  for (;;) {
    yield [day.open, day.close];
    day = days.day(day.next);
  }
}

/** One local day: its business hours `[open, close)` and where it and its neighbours begin (epoch ms). */
interface Day {
  open: number;
  close: number;
  previous: number;
  next: number;
}

/** Local midnights are looked up by the quarter hour of UTC they fall in (every zone's offsets are whole quarter hours today). */
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
/** Days kept per zone and window before the cache starts afresh (about 27 years; a few MB at most). */
const CALENDAR_DAYS = 10_000;

/**
 * Each local day's opening hours in one zone for one window, worked out by luxon once and kept. Working
 * them out is what business time costs (~0.44 ms a call: several zone conversions a day walked), and
 * `/summary` checks every accepted ticket's deadlines, tens of thousands over a month, on the same few
 * days. The values are luxon's own, so a cached day is the uncomputed one exactly (time.test.ts).
 */
class Calendar {
  private readonly days = new Map<number, Day>();
  /** The start of the local day holding each quarter hour's first instant. */
  private readonly midnights = new Map<number, number>();

  constructor(
    private readonly hours: DailyWindow,
    private readonly zone: string,
  ) {}

  /** The local day that holds `at` (epoch ms). */
  containing(at: number): Day {
    const quarter = Math.floor(at / QUARTER_HOUR_MS);
    let start = this.midnights.get(quarter);
    if (start === undefined) {
      start = local(new Date(quarter * QUARTER_HOUR_MS), this.zone)
        .startOf('day')
        .toMillis();
      this.midnights.set(quarter, start);
    }
    let day = this.day(start);
    // A quarter hour that a local midnight cuts (an offset in seconds, as before 1900): the later day.
    while (at >= day.next) day = this.day(day.next);
    return day;
  }

  /** The local day beginning at `start` (a start of day as luxon gives it). */
  day(start: number): Day {
    const known = this.days.get(start);
    if (known) return known;
    if (this.days.size >= CALENDAR_DAYS) {
      this.days.clear();
      this.midnights.clear();
    }
    const day = DateTime.fromMillis(start, { zone: this.zone }).startOf('day');
    const after = day.plus({ days: 1 });
    const made: Day = {
      open: wallClock(day, this.hours.start).toMillis(),
      close: wallClock(this.hours.end < this.hours.start ? after : day, this.hours.end).toMillis(),
      previous: day.minus({ days: 1 }).toMillis(),
      next: after.toMillis(),
    };
    this.days.set(start, made);
    return made;
  }
}

const calendars = new Map<string, Calendar>();

/**
 * The calendar of `hours` in `zone`; reading `at` there first (once per zone and window), which throws
 * a RangeError for a zone luxon does not know, and for an invalid `at` always.
 */
function calendar(at: Date, hours: DailyWindow, zone: string): Calendar {
  const key = `${zone}|${hours.start}|${hours.end}`;
  let found = calendars.get(key);
  if (!found || Number.isNaN(at.getTime())) {
    local(at, zone);
    found = new Calendar(hours, zone);
    calendars.set(key, found);
  }
  return found;
}

function isWholeDay(window: DailyWindow): boolean {
  return window.start === 0 && window.end === DAY_MINUTES;
}

function checkWindow(window: DailyWindow): void {
  const ok = (m: number) => Number.isInteger(m) && m >= 0 && m <= DAY_MINUTES;
  if (!ok(window.start) || !ok(window.end) || window.start === DAY_MINUTES) {
    throw new RangeError(`Not a daily window in minutes: ${JSON.stringify(window)}`);
  }
}

function checkOpenWindow(window: DailyWindow): void {
  checkWindow(window);
  if (window.start === window.end) throw new RangeError('Business hours are empty: start and end are the same');
}
