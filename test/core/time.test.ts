import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import type { DailyWindow } from '../../src/core/time.js';
import {
  addBusinessTime,
  businessTimeBetween,
  inWindow,
  lastAllowedBefore,
  nextAllowed,
  nextLocalTime,
} from '../../src/core/time.js';

const SH = 'Asia/Shanghai'; // UTC+8 all year
const LON = 'Europe/London'; // GMT, BST (UTC+1) from 2026-03-29 01:00 GMT to 2026-10-25 01:00 GMT

const QUIET: DailyWindow = { start: 21 * 60, end: 8 * 60 };
const HOURS: DailyWindow = { start: 8 * 60, end: 20 * 60 };
const ALL_DAY: DailyWindow = { start: 0, end: 24 * 60 };
const H = 3_600_000;

const at = (iso: string) => new Date(iso);
/** A Shanghai wall-clock time as an instant. */
const sh = (local: string) => new Date(`${local}+08:00`);

describe('inWindow', () => {
  it('reads a window that wraps midnight on the local clock, start inclusive and end exclusive', () => {
    expect(inWindow(sh('2026-11-28T20:59:59'), QUIET, SH)).toBe(false);
    expect(inWindow(sh('2026-11-28T21:00'), QUIET, SH)).toBe(true);
    expect(inWindow(sh('2026-11-29T00:00'), QUIET, SH)).toBe(true);
    expect(inWindow(sh('2026-11-29T07:59:59'), QUIET, SH)).toBe(true);
    expect(inWindow(sh('2026-11-29T08:00'), QUIET, SH)).toBe(false);
  });

  it('reads a plain window and the whole day', () => {
    expect(inWindow(sh('2026-11-28T07:59'), HOURS, SH)).toBe(false);
    expect(inWindow(sh('2026-11-28T08:00'), HOURS, SH)).toBe(true);
    expect(inWindow(sh('2026-11-28T19:59'), HOURS, SH)).toBe(true);
    expect(inWindow(sh('2026-11-28T20:00'), HOURS, SH)).toBe(false);
    expect(inWindow(sh('2026-11-28T00:00'), ALL_DAY, SH)).toBe(true);
    expect(inWindow(sh('2026-11-28T23:59:59'), ALL_DAY, SH)).toBe(true);
  });

  it('follows daylight saving time', () => {
    // 07:30 UTC is 08:30 BST in summer (outside quiet hours) but 07:30 GMT in winter (inside).
    expect(inWindow(at('2026-07-01T07:30:00Z'), QUIET, LON)).toBe(false);
    expect(inWindow(at('2026-12-01T07:30:00Z'), QUIET, LON)).toBe(true);
  });

  it('refuses a window out of range and an unknown zone', () => {
    expect(() => inWindow(sh('2026-11-28T10:00'), { start: -1, end: 60 }, SH)).toThrow(RangeError);
    expect(() => inWindow(sh('2026-11-28T10:00'), { start: 0, end: 1441 }, SH)).toThrow(RangeError);
    expect(() => inWindow(sh('2026-11-28T10:00'), QUIET, 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('nextAllowed', () => {
  it('keeps an instant outside quiet hours', () => {
    const t = sh('2026-11-28T20:59');
    expect(nextAllowed(t, QUIET, SH)).toEqual(t);
    expect(nextAllowed(sh('2026-11-28T08:00'), QUIET, SH)).toEqual(sh('2026-11-28T08:00'));
  });

  it('moves an evening instant to the next morning and an early one to the same morning', () => {
    expect(nextAllowed(sh('2026-11-28T21:00'), QUIET, SH)).toEqual(sh('2026-11-29T08:00'));
    expect(nextAllowed(sh('2026-11-28T23:59'), QUIET, SH)).toEqual(sh('2026-11-29T08:00'));
    expect(nextAllowed(sh('2026-11-29T00:00'), QUIET, SH)).toEqual(sh('2026-11-29T08:00'));
    expect(nextAllowed(sh('2026-11-29T07:59'), QUIET, SH)).toEqual(sh('2026-11-29T08:00'));
  });

  it('moves to the end of a window that does not wrap, or to midnight when it ends there', () => {
    const lunch = { start: 12 * 60, end: 14 * 60 };
    expect(nextAllowed(sh('2026-11-28T12:30'), lunch, SH)).toEqual(sh('2026-11-28T14:00'));
    const lateEvening = { start: 22 * 60, end: 24 * 60 };
    expect(nextAllowed(sh('2026-11-28T22:30'), lateEvening, SH)).toEqual(sh('2026-11-29T00:00'));
  });

  it('lets everything through when quiet hours are off', () => {
    const t = sh('2026-11-28T23:00');
    expect(nextAllowed(t, null, SH)).toEqual(t);
  });

  it('ends quiet hours at 08:00 local time on the night the clocks go forward', () => {
    // 2026-03-29: 01:00 GMT becomes 02:00 BST; 08:00 BST is 07:00 UTC.
    expect(nextAllowed(at('2026-03-29T00:30:00Z'), QUIET, LON)).toEqual(at('2026-03-29T07:00:00Z'));
    expect(nextAllowed(at('2026-03-28T22:00:00Z'), QUIET, LON)).toEqual(at('2026-03-29T07:00:00Z'));
  });
});

describe('lastAllowedBefore', () => {
  it('keeps an instant outside quiet hours', () => {
    const t = sh('2026-11-28T20:00');
    expect(lastAllowedBefore(t, QUIET, SH)).toEqual(t);
    expect(lastAllowedBefore(t, null, SH)).toEqual(t);
  });

  it('moves a night instant to the minute before that night’s quiet hours began', () => {
    expect(lastAllowedBefore(sh('2026-11-28T21:00'), QUIET, SH)).toEqual(sh('2026-11-28T20:59'));
    expect(lastAllowedBefore(sh('2026-11-28T23:30'), QUIET, SH)).toEqual(sh('2026-11-28T20:59'));
    expect(lastAllowedBefore(sh('2026-11-29T02:00'), QUIET, SH)).toEqual(sh('2026-11-28T20:59'));
    expect(lastAllowedBefore(sh('2026-11-29T07:59'), QUIET, SH)).toEqual(sh('2026-11-28T20:59'));
  });

  it('lands outside quiet hours', () => {
    for (const t of [sh('2026-11-28T21:00'), sh('2026-11-29T03:00')]) {
      expect(inWindow(lastAllowedBefore(t, QUIET, SH), QUIET, SH)).toBe(false);
    }
  });
});

describe('addBusinessTime', () => {
  it('counts three 12-hour working days as 36 business hours, across nights', () => {
    expect(addBusinessTime(sh('2026-11-28T10:00'), 36 * H, HOURS, SH)).toEqual(sh('2026-12-01T10:00'));
  });

  it('carries what is left at closing time over to the next opening', () => {
    expect(addBusinessTime(sh('2026-11-28T19:00'), 2 * H, HOURS, SH)).toEqual(sh('2026-11-29T09:00'));
    expect(addBusinessTime(sh('2026-11-28T19:30'), 30 * 60_000, HOURS, SH)).toEqual(sh('2026-11-28T20:00'));
  });

  it('ends at closing time when the amount runs out exactly then', () => {
    expect(addBusinessTime(sh('2026-11-28T08:00'), 12 * H, HOURS, SH)).toEqual(sh('2026-11-28T20:00'));
  });

  it('starts counting at the next opening when started outside hours', () => {
    expect(addBusinessTime(sh('2026-11-28T22:00'), 1 * H, HOURS, SH)).toEqual(sh('2026-11-29T09:00'));
    expect(addBusinessTime(sh('2026-11-28T06:00'), 1 * H, HOURS, SH)).toEqual(sh('2026-11-28T09:00'));
    expect(addBusinessTime(sh('2026-11-28T20:00'), 12 * H, HOURS, SH)).toEqual(sh('2026-11-29T20:00'));
  });

  it('adds nothing for zero', () => {
    const t = sh('2026-11-28T22:00');
    expect(addBusinessTime(t, 0, HOURS, SH)).toEqual(t);
  });

  it('is plain addition for a 00:00–24:00 window, also across daylight saving', () => {
    expect(addBusinessTime(sh('2026-11-28T22:00'), 5 * H, ALL_DAY, SH)).toEqual(sh('2026-11-29T03:00'));
    expect(addBusinessTime(at('2026-03-28T23:00:00Z'), 5 * H, ALL_DAY, LON)).toEqual(at('2026-03-29T04:00:00Z'));
  });

  it('keeps opening at 08:00 local time across both daylight-saving changes', () => {
    // Spring: 19:00 GMT + 1 h on the day, then 08:00 BST (07:00 UTC) + 1 h.
    expect(addBusinessTime(at('2026-03-28T19:00:00Z'), 2 * H, HOURS, LON)).toEqual(at('2026-03-29T08:00:00Z'));
    // Autumn: 19:00 BST (18:00 UTC) + 1 h on the day, then 08:00 GMT + 1 h.
    expect(addBusinessTime(at('2026-10-24T18:00:00Z'), 2 * H, HOURS, LON)).toEqual(at('2026-10-25T09:00:00Z'));
    // A full week of 12-hour days that spans the spring change.
    expect(addBusinessTime(at('2026-03-26T08:00:00Z'), 7 * 12 * H, HOURS, LON)).toEqual(at('2026-04-01T19:00:00Z'));
  });

  it('counts real time in a window the clocks jump through', () => {
    // 00:00–04:00 on 2026-03-29 in London lasts three hours: 01:00–02:00 does not exist.
    const night = { start: 0, end: 4 * 60 };
    expect(addBusinessTime(at('2026-03-29T00:00:00Z'), 3 * H, night, LON)).toEqual(at('2026-03-29T03:00:00Z'));
    expect(addBusinessTime(at('2026-03-29T00:00:00Z'), 3 * H + 1, night, LON)).toEqual(at('2026-03-29T23:00:00.001Z'));
  });

  it('refuses a negative amount and empty hours', () => {
    expect(() => addBusinessTime(sh('2026-11-28T10:00'), -1, HOURS, SH)).toThrow(RangeError);
    expect(() => addBusinessTime(sh('2026-11-28T10:00'), Number.NaN, HOURS, SH)).toThrow(RangeError);
    expect(() => addBusinessTime(sh('2026-11-28T10:00'), H, { start: 480, end: 480 }, SH)).toThrow(RangeError);
  });
});

describe('businessTimeBetween', () => {
  it('counts only business hours between two instants', () => {
    expect(businessTimeBetween(sh('2026-11-28T10:00'), sh('2026-12-01T10:00'), HOURS, SH)).toBe(36 * H);
    expect(businessTimeBetween(sh('2026-11-28T19:00'), sh('2026-11-29T09:00'), HOURS, SH)).toBe(2 * H);
    expect(businessTimeBetween(sh('2026-11-28T21:00'), sh('2026-11-29T07:00'), HOURS, SH)).toBe(0);
    expect(businessTimeBetween(sh('2026-11-28T10:00'), sh('2026-11-28T10:00'), HOURS, SH)).toBe(0);
  });

  it('is negative when the end comes first, and plain subtraction for the whole day', () => {
    expect(businessTimeBetween(sh('2026-11-29T09:00'), sh('2026-11-28T19:00'), HOURS, SH)).toBe(-2 * H);
    expect(businessTimeBetween(sh('2026-11-28T22:00'), sh('2026-11-29T03:00'), ALL_DAY, SH)).toBe(5 * H);
  });

  it('tells when half of a deadline has passed', () => {
    const created = sh('2026-11-28T18:00');
    const deadline = addBusinessTime(created, 24 * H, HOURS, SH);
    const half = addBusinessTime(created, businessTimeBetween(created, deadline, HOURS, SH) / 2, HOURS, SH);
    expect(deadline).toEqual(sh('2026-11-30T18:00'));
    expect(half).toEqual(sh('2026-11-29T18:00'));
  });

  it('counts a window the clocks jump through as the time that really passes', () => {
    const night = { start: 0, end: 4 * 60 };
    expect(businessTimeBetween(at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'), night, LON)).toBe(3 * H);
    expect(businessTimeBetween(at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'), night, LON)).toBe(5 * H);
  });

  it('inverts addBusinessTime in both zones', () => {
    const starts = ['2026-03-27T05:00:00Z', '2026-03-28T19:30:00Z', '2026-10-24T12:00:00Z', '2026-11-28T23:00:00Z'];
    const amounts = [1, 30 * 60_000, 11 * H, 12 * H, 37 * H + 123];
    for (const zone of [SH, LON]) {
      for (const start of starts.map(at)) {
        for (const ms of amounts) {
          const end = addBusinessTime(start, ms, HOURS, zone);
          expect(businessTimeBetween(start, end, HOURS, zone)).toBe(ms);
          expect(inWindow(new Date(end.getTime() - 1), HOURS, zone)).toBe(true);
        }
      }
    }
  });
});

describe('nextLocalTime', () => {
  it('finds this evening while it is still to come, else tomorrow', () => {
    expect(nextLocalTime(sh('2026-11-28T10:00'), '19:00', SH)).toEqual(sh('2026-11-28T19:00'));
    expect(nextLocalTime(sh('2026-11-28T20:00'), '19:00', SH)).toEqual(sh('2026-11-29T19:00'));
    expect(nextLocalTime(sh('2026-11-28T10:00'), '09:00', SH)).toEqual(sh('2026-11-29T09:00'));
    expect(nextLocalTime(sh('2026-11-28T23:30'), '0:15', SH)).toEqual(sh('2026-11-29T00:15'));
  });

  it('is strictly after the given instant', () => {
    expect(nextLocalTime(sh('2026-11-28T19:00'), '19:00', SH)).toEqual(sh('2026-11-29T19:00'));
  });

  it('keeps the local clock time across daylight saving', () => {
    expect(nextLocalTime(at('2026-03-28T10:00:00Z'), '09:00', LON)).toEqual(at('2026-03-29T08:00:00Z'));
    expect(nextLocalTime(at('2026-10-24T10:00:00Z'), '09:00', LON)).toEqual(at('2026-10-25T09:00:00Z'));
  });

  it('refuses anything but HH:mm', () => {
    for (const bad of ['24:00', '19:60', '9am', '19', '', '19:00:00']) {
      expect(() => nextLocalTime(sh('2026-11-28T10:00'), bad, SH)).toThrow(RangeError);
    }
  });
});

/**
 * Business time as it was worked out before each local day's hours were kept (luxon on every call): the
 * reference the kept days must match exactly. (The service hours have no holiday calendar: every day opens.)
 */
function uncachedOpenings(from: Date, hours: DailyWindow, zone: string): Generator<[number, number]> {
  const wall = (day: DateTime, minutes: number) =>
    (minutes === 1440 ? day.plus({ days: 1 }) : day).set({
      hour: Math.floor((minutes % 1440) / 60),
      minute: minutes % 60,
      second: 0,
      millisecond: 0,
    });
  return (function* () {
    let day = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 });
    for (;;) {
      const close = wall(hours.end < hours.start ? day.plus({ days: 1 }) : day, hours.end).toMillis();
      yield [wall(day, hours.start).toMillis(), close] as [number, number];
      day = day.plus({ days: 1 });
    }
  })();
}

function uncachedAdd(start: Date, ms: number, hours: DailyWindow, zone: string): Date {
  if (ms === 0) return start;
  let remaining = ms;
  for (const [open, close] of uncachedOpenings(start, hours, zone)) {
    if (close <= start.getTime()) continue;
    const begin = Math.max(open, start.getTime());
    if (remaining <= close - begin) return new Date(begin + remaining);
    remaining -= Math.max(0, close - begin);
  }
  throw new Error('unreachable');
}

function uncachedBetween(a: Date, b: Date, hours: DailyWindow, zone: string): number {
  let total = 0;
  for (const [open, close] of uncachedOpenings(a, hours, zone)) {
    if (open >= b.getTime()) break;
    total += Math.max(0, Math.min(close, b.getTime()) - Math.max(open, a.getTime()));
  }
  return total;
}

describe('business time over the days kept per zone and window', () => {
  const windows: DailyWindow[] = [HOURS, { start: 9 * 60 + 30, end: 17 * 60 }, { start: 22 * 60, end: 6 * 60 }];
  // Shanghai has no daylight saving; London and New York change twice in the year walked, Santiago at midnight.
  it.each([SH, LON, 'America/New_York', 'America/Santiago'])('answers as luxon on every call does, in %s', (zone) => {
    const amounts = [0, 60_000, 2 * H + 17 * 60_000, 12 * H, 36 * H, 5 * 24 * H];
    for (const hours of windows) {
      // Every 17 h 13 min through 2026 (about 500 starts: every hour of the day is met, and the amounts up to
      // five days reach across both changes of the clock from the starts before them).
      for (
        let t = Date.parse('2026-01-01T00:00:00Z');
        t < Date.parse('2027-01-01T00:00:00Z');
        t += 17 * H + 13 * 60_000
      ) {
        const start = new Date(t);
        for (const ms of amounts) {
          const end = addBusinessTime(start, ms, hours, zone);
          expect(end.getTime(), `${zone} ${JSON.stringify(hours)} ${start.toISOString()} + ${ms}`).toBe(
            uncachedAdd(start, ms, hours, zone).getTime(),
          );
        }
        const later = new Date(t + 3 * 24 * H + 5 * 60_000);
        expect(businessTimeBetween(start, later, hours, zone)).toBe(uncachedBetween(start, later, hours, zone));
      }
    }
  });

  it('reads no date in the zone again for days already worked out', () => {
    const start = Date.parse('2026-03-02T00:00:00Z');
    const month = (n: number) => new Date(start + ((n * 7919) % (30 * 24 * 60)) * 60_000);
    for (let n = 0; n < 500; n++) addBusinessTime(month(n), 36 * H, HOURS, LON);
    const fromJSDate = vi.spyOn(DateTime, 'fromJSDate');
    const fromMillis = vi.spyOn(DateTime, 'fromMillis');
    try {
      for (let n = 0; n < 500; n++) {
        expect(addBusinessTime(month(n), 36 * H, HOURS, LON).getTime()).toBe(
          addBusinessTime(month(n), 36 * H, HOURS, LON).getTime(),
        );
      }
      expect(fromJSDate).not.toHaveBeenCalled();
      expect(fromMillis).not.toHaveBeenCalled();
    } finally {
      fromJSDate.mockRestore();
      fromMillis.mockRestore();
    }
  });
});
