/**
 * The one-line `/notice` form, targets and times as staff type them, and dates as owners read them.
 */
import { describe, expect, it } from 'vitest';
import { parseNoticeCommand, splitLanguages } from '../../../src/core/notices/command.js';
import { parsePlace, parseTarget, placesOfUnits, targetIncludes } from '../../../src/core/notices/target.js';
import { formatNoticePeriod, formatNoticeTime, readInstant, readPeriod } from '../../../src/core/notices/when.js';

const ZONE = 'Asia/Shanghai';
/** Monday 2026-12-07 10:00 in Shanghai. */
const NOW = new Date('2026-12-07T02:00:00Z');
const local = (iso: string) => new Date(`${iso}+08:00`);

describe('targets', () => {
  it.each([
    ['3', '3'],
    ['3号楼', '3'],
    ['03栋', '3'],
    ['3-2', '3-2'],
    ['3栋2单元', '3-2'],
    ['Building 3 unit 2', '3-2'],
    ['３－２', '3-2'],
  ])('%s is place %s', (text, place) => {
    expect(parsePlace(text)).toBe(place);
  });

  it('reads lists and the whole estate, and refuses a list with one bad part', () => {
    expect(parseTarget('3,5,7')).toEqual({ kind: 'places', places: ['3', '5', '7'] });
    expect(parseTarget('3号楼、5号楼')).toEqual({ kind: 'places', places: ['3', '5'] });
    expect(parseTarget('3,3-2,5-1')).toEqual({ kind: 'places', places: ['3', '5-1'] });
    expect(parseTarget('全部')).toEqual({ kind: 'all' });
    expect(parseTarget('ALL')).toEqual({ kind: 'all' });
    expect(parseTarget('3,明天')).toBeUndefined();
    expect(parseTarget('3-2-501')).toBeUndefined();
  });

  it('matches owners by building and unit; an owner with no flat only by the whole estate', () => {
    expect(placesOfUnits(['3-2-501', '05-101'])).toEqual(['3', '3-2', '5']);
    const b3 = { kind: 'places' as const, places: ['3'] };
    const u32 = { kind: 'places' as const, places: ['3-2'] };
    expect(targetIncludes(b3, ['3-2-501'])).toBe(true);
    expect(targetIncludes(u32, ['3-2-501'])).toBe(true);
    expect(targetIncludes(u32, ['3-1-501'])).toBe(false);
    expect(targetIncludes(b3, ['13-1-501'])).toBe(false);
    expect(targetIncludes(b3, [])).toBe(false);
    expect(targetIncludes({ kind: 'all' }, [])).toBe(true);
  });
});

describe('times', () => {
  it('reads a period on one day, across days, whole days, and hands back the rest', () => {
    expect(readPeriod('12-08 9:00-17:00 请储水', NOW, ZONE)).toEqual({
      from: local('2026-12-08T09:00'),
      to: local('2026-12-08T17:00'),
      rest: '请储水',
    });
    expect(readPeriod('明天 上午9点至下午5点半 停水', NOW, ZONE)).toMatchObject({
      from: local('2026-12-08T09:00'),
      to: local('2026-12-08T17:30'),
      rest: '停水',
    });
    expect(readPeriod('2026-12-08 22:00 ~ 2026-12-09 06:00 x', NOW, ZONE)).toMatchObject({
      from: local('2026-12-08T22:00'),
      to: local('2026-12-09T06:00'),
    });
    expect(readPeriod('12月10日~12月11日 消杀', NOW, ZONE)).toMatchObject({
      from: local('2026-12-10T00:00'),
      to: local('2026-12-12T00:00'),
      rest: '消杀',
    });
    expect(readPeriod('后天 到时请关好门窗', NOW, ZONE)).toMatchObject({
      from: local('2026-12-09T00:00'),
      to: local('2026-12-10T00:00'),
      rest: '到时请关好门窗',
    });
    expect(readPeriod('请储水', NOW, ZONE)).toBeUndefined();
    // A month-day a few days past stays this year (refused as past), a long-gone one is next year's.
    expect(readPeriod('12-01', NOW, ZONE)?.from).toEqual(local('2026-12-01T00:00'));
    expect(readPeriod('1-05', NOW, ZONE)?.from).toEqual(local('2027-01-05T00:00'));
  });

  it('reads a send time', () => {
    expect(readInstant('现在 x', NOW, ZONE)).toEqual({ at: NOW, rest: 'x' });
    expect(readInstant('明天18:00 x', NOW, ZONE)).toEqual({ at: local('2026-12-08T18:00'), rest: 'x' });
    expect(readInstant('晚上8点', NOW, ZONE)?.at).toBeUndefined();
  });

  it('writes dates as owners read them', () => {
    expect(formatNoticeTime(local('2026-12-08T10:00'), 'zh-CN', ZONE)).toBe('12月8日（周二）上午10:00');
    expect(formatNoticeTime(local('2026-12-08T15:30'), 'en', ZONE)).toBe('Tue 8 Dec, 3:30 pm');
    const from = local('2026-12-08T09:00');
    expect(formatNoticePeriod(from, local('2026-12-08T17:00'), 'zh-CN', ZONE)).toBe(
      '12月8日（周二）上午9:00至下午5:00',
    );
    expect(formatNoticePeriod(from, local('2026-12-08T17:00'), 'en', ZONE)).toBe('Tue 8 Dec, 9:00 am – 5:00 pm');
    expect(formatNoticePeriod(local('2026-12-08T00:00'), local('2026-12-09T00:00'), 'zh-CN', ZONE)).toBe(
      '12月8日（周二）全天',
    );
    expect(formatNoticePeriod(local('2026-12-08T00:00'), local('2026-12-11T00:00'), 'zh-CN', ZONE)).toBe(
      '12月8日（周二）至12月10日（周四）',
    );
    expect(formatNoticePeriod(local('2026-12-08T22:00'), local('2026-12-09T06:00'), 'zh-CN', ZONE)).toBe(
      '12月8日（周二）晚上10:00至12月9日（周三）上午6:00',
    );
  });
});

describe('the one-line form', () => {
  const parse = (text: string) => parseNoticeCommand(text, NOW, ZONE);

  it('drafts a water cut to three buildings in one line, in two languages', () => {
    expect(
      parse('/notice 停水 3,5,7 12-08 9:00-17:00 因主管道检修停水，请提前储水。 EN: Water off for mains repairs.'),
    ).toEqual({
      action: 'create',
      draft: {
        kind: 'outage_water',
        urgent: false,
        target: { kind: 'places', places: ['3', '5', '7'] },
        validFrom: local('2026-12-08T09:00'),
        validTo: local('2026-12-08T17:00'),
        text: { 'zh-CN': '因主管道检修停水，请提前储水。', en: 'Water off for mains repairs.' },
        noReminder: false,
      },
    });
  });

  it('reads the options: urgent, a send time, no reminder; English alone is English', () => {
    const cmd = parse(
      '/notice power all 明天 14:00-16:00 urgent send=2026-12-07T18:00 noremind Power off in the whole estate.',
    );
    expect(cmd).toMatchObject({
      action: 'create',
      draft: {
        kind: 'outage_power',
        urgent: true,
        target: { kind: 'all' },
        sendAt: local('2026-12-07T18:00'),
        noReminder: true,
        text: { en: 'Power off in the whole estate.' },
      },
    });
    expect(parse('/notice 台风 全部 今天 16:00 ~ 明天 12:00 台风过境，请收好阳台物品')).toMatchObject({
      draft: { kind: 'weather', urgent: true },
    });
    // Keeps the words as typed (full-width digits, long dashes), reading the times on half-width ones.
    expect(parse('/notice 活动 全部 12-12 ——１２日晚会——')).toMatchObject({
      draft: { text: { 'zh-CN': '——１２日晚会——' } },
    });
  });

  it('names what is wrong', () => {
    expect(parse('/notice 停车 3 明天 x')).toEqual({ action: 'invalid', problem: 'unknown_kind', detail: '停车' });
    expect(parse('/notice 停水 三号 明天 x')).toMatchObject({ problem: 'bad_target' });
    expect(parse('/notice 停水 3 请储水')).toMatchObject({ problem: 'bad_period' });
    expect(parse('/notice 停水 3 12-08 17:00-9:00 x')).toMatchObject({ problem: 'period_order' });
    expect(parse('/notice 停水 3 12-05 9:00-17:00 x')).toMatchObject({ problem: 'period_past' });
    expect(parse('/notice 停水 3 12-08 9:00-17:00 发送=12-09 9:00 x')).toMatchObject({ problem: 'send_after_end' });
    expect(parse('/notice 停水 3 12-08 9:00-17:00')).toMatchObject({ problem: 'no_text' });
    expect(parse('/notice 活动 3 12-08 紧急 x')).toMatchObject({ problem: 'urgent_not_allowed' });
    expect(parse(`/notice 停水 3 12-08 ${'水'.repeat(1001)}`)).toMatchObject({ problem: 'too_long' });
  });

  it('reads the other commands', () => {
    expect(parse('/notice')).toEqual({ action: 'compose' });
    expect(parse('/notices')).toEqual({ action: 'list' });
    expect(parse('/notice@residesk_bot list')).toEqual({ action: 'list' });
    expect(parse('/notice n1')).toEqual({ action: 'show', id: 'N001' });
    expect(parse('/notice 发布 N001')).toEqual({ action: 'publish', id: 'N001' });
    expect(parse('/notice preview n2')).toEqual({ action: 'preview', id: 'N002' });
    expect(parse('/notice cancel N001 工程推迟')).toEqual({ action: 'cancel', id: 'N001', reason: '工程推迟' });
    expect(parse('/notice 更正 N001 改为下午2点恢复')).toEqual({
      action: 'correct',
      id: 'N001',
      text: { 'zh-CN': '改为下午2点恢复' },
    });
    expect(parse('/notice correct N001')).toEqual({ action: 'invalid', problem: 'no_text' });
    expect(parse('/notice publish')).toEqual({ action: 'help' });
    expect(parse('/noticeboard')).toBeUndefined();
    expect(parse('通知')).toBeUndefined();
  });

  it('splits the languages', () => {
    expect(splitLanguages('只有中文')).toEqual({ ok: true, text: { 'zh-CN': '只有中文' } });
    expect(splitLanguages('English only')).toEqual({ ok: true, text: { en: 'English only' } });
    expect(splitLanguages('中文 英文：English')).toEqual({ ok: true, text: { 'zh-CN': '中文', en: 'English' } });
    expect(splitLanguages('  ')).toEqual({ ok: false, problem: 'no_text' });
  });
});
