/**
 * parseStaffTime: the appointment times staff type, read in the estate's time zone.
 */
import { describe, expect, it } from 'vitest';
import { parseStaffTime } from '../../src/app/staff-time.js';

const ZONE = 'Asia/Shanghai';
/** An instant given as Shanghai wall-clock time. */
const sh = (local: string) => new Date(`${local}+08:00`);
const NOW = sh('2026-11-28T10:00'); // Saturday 28 November 2026, 10:00

const parse = (text: string, now = NOW) => {
  const r = parseStaffTime(text, now, ZONE);
  return r ? { at: r.at.toISOString(), rest: r.rest } : undefined;
};
const at = (local: string, rest = '') => ({ at: sh(local).toISOString(), rest });

describe('parseStaffTime', () => {
  it('reads full dates', () => {
    expect(parse('2026-11-29 14:00')).toEqual(at('2026-11-29T14:00'));
    expect(parse('2026/12/1 9:30 带梯子')).toEqual(at('2026-12-01T09:30', '带梯子'));
    expect(parse('2026.12.01日 09:05')).toEqual(at('2026-12-01T09:05'));
  });

  it('reads month and day, this year or (once passed) next year', () => {
    expect(parse('11-29 14:00')).toEqual(at('2026-11-29T14:00'));
    expect(parse('11/29 14:00')).toEqual(at('2026-11-29T14:00'));
    expect(parse('12月3日 9点')).toEqual(at('2026-12-03T09:00'));
    expect(parse('12月3号 9点30分')).toEqual(at('2026-12-03T09:30'));
    expect(parse('1-5 10:00')).toEqual(at('2027-01-05T10:00'));
    // Later today still counts as today.
    expect(parse('11-28 16:00')).toEqual(at('2026-11-28T16:00'));
  });

  it('reads today, tomorrow and the day after, in Chinese and English, with a note after', () => {
    expect(parse('明天14:00')).toEqual(at('2026-11-29T14:00'));
    expect(parse('明天 14:00 带好配件')).toEqual(at('2026-11-29T14:00', '带好配件'));
    expect(parse('后天 9:30')).toEqual(at('2026-11-30T09:30'));
    expect(parse('今天 16:00')).toEqual(at('2026-11-28T16:00'));
    expect(parse('tomorrow 14:00')).toEqual(at('2026-11-29T14:00'));
    expect(parse('Tomorrow 9:00 bring a ladder')).toEqual(at('2026-11-29T09:00', 'bring a ladder'));
  });

  it('reads 上午 / 下午 / 晚上 and 点', () => {
    expect(parse('明天下午2点')).toEqual(at('2026-11-29T14:00'));
    expect(parse('明天下午 3:30')).toEqual(at('2026-11-29T15:30'));
    expect(parse('明天晚上7点')).toEqual(at('2026-11-29T19:00'));
    expect(parse('明天上午9点')).toEqual(at('2026-11-29T09:00'));
    expect(parse('明天下午12点')).toEqual(at('2026-11-29T12:00'));
  });

  it('reads 点半 as half past, not as a note', () => {
    expect(parse('明天下午2点半')).toEqual(at('2026-11-29T14:30'));
    expect(parse('明天9点半 先打电话')).toEqual(at('2026-11-29T09:30', '先打电话'));
    expect(parse('12月3日 9点半')).toEqual(at('2026-12-03T09:30'));
  });

  it('reads 上午 / 下午 / 凌晨 before a time without a day, and after a date', () => {
    expect(parse('下午3点')).toEqual(at('2026-11-28T15:00'));
    expect(parse('12月3日下午3点 带梯子')).toEqual(at('2026-12-03T15:00', '带梯子'));
    expect(parse('2026-12-03 上午9:30')).toEqual(at('2026-12-03T09:30'));
    expect(parse('明天中午1点')).toEqual(at('2026-11-29T13:00'));
    expect(parse('明天凌晨3点')).toEqual(at('2026-11-29T03:00'));
  });

  it('flags a time in the small hours that nothing marks as night (明天3点 is usually 15:00)', () => {
    expect(parseStaffTime('明天3点', NOW, ZONE)).toMatchObject({ smallHours: true });
    expect(parseStaffTime('11-29 0:30', NOW, ZONE)).toMatchObject({ smallHours: true });
    expect(parseStaffTime('明天凌晨3点', NOW, ZONE)?.smallHours).toBeUndefined();
    expect(parseStaffTime('明天6点', NOW, ZONE)?.smallHours).toBeUndefined();
    expect(parseStaffTime('明天15点', NOW, ZONE)?.smallHours).toBeUndefined();
  });

  it('reads full-width digits and colons', () => {
    expect(parse('明天１４：００')).toEqual(at('2026-11-29T14:00'));
  });

  it('reads a bare time as today if it is still ahead, else tomorrow', () => {
    expect(parse('14:00')).toEqual(at('2026-11-28T14:00'));
    expect(parse('9:00')).toEqual(at('2026-11-29T09:00'));
    expect(parse('10:00')).toEqual(at('2026-11-29T10:00'));
    expect(parse('15点')).toEqual(at('2026-11-28T15:00'));
  });

  it('refuses what is not a time', () => {
    expect(parse('')).toBeUndefined();
    expect(parse('明天')).toBeUndefined();
    expect(parse('下周一')).toBeUndefined();
    expect(parse('25:00')).toBeUndefined();
    expect(parse('明天14:75')).toBeUndefined();
    expect(parse('2026-02-30 10:00')).toBeUndefined();
    expect(parse('13-01 10:00')).toBeUndefined();
    expect(parse('1400')).toBeUndefined();
  });

  it('returns a time already past today as given (the desk refuses it)', () => {
    expect(parse('今天 9:00')).toEqual(at('2026-11-28T09:00'));
  });
});
