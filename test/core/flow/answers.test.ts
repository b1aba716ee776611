import { describe, expect, it } from 'vitest';
import {
  checkLocation,
  checkPhone,
  checkRating,
  checkText,
  checkYesNo,
  cleanText,
  fold,
  formatPhone,
  HARD_TEXT_LIMIT,
  parseIndex,
} from '../../../src/core/flow/answers.js';

describe('cleanText', () => {
  it('trims, drops invisible characters and folds runs of blank lines', () => {
    expect(cleanText('  \ufeffhello\u200b world  ')).toBe('hello world');
    expect(cleanText('a\r\n\r\n\r\n\r\nb')).toBe('a\n\nb');
    expect(cleanText('a\rb')).toBe('a\nb');
    expect(cleanText('a\n\nb')).toBe('a\n\nb');
    expect(cleanText('\u202e\u2060')).toBe('');
  });
});

describe('fold', () => {
  it('drops case, spaces, punctuation and emoji; turns full-width digits half-width', () => {
    expect(fold('🔧 报修')).toBe('报修');
    expect(fold(' Report a Repair! ')).toBe('reportarepair');
    expect(fold('１号')).toBe('1号');
    expect(fold('✅ 确认提交')).toBe('确认提交');
    expect(fold('!!!')).toBe('');
  });
});

describe('checkText', () => {
  it('accepts text within the limits, cleaned', () => {
    expect(checkText('  水管漏水  ', 4, 10)).toEqual({ ok: true, value: '水管漏水' });
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(checkText('👍👍👍👍', 4, 4)).toEqual({ ok: true, value: '👍👍👍👍' });
    expect(checkText('👍👍👍', 4, 10)).toEqual({ ok: false, error: 'input.too_short', params: { min: 4 } });
  });

  it('refuses empty and invisible-only text', () => {
    expect(checkText('', 1, 10)).toEqual({ ok: false, error: 'input.empty' });
    expect(checkText('  \u200b\n ', 1, 10)).toEqual({ ok: false, error: 'input.empty' });
  });

  it('refuses too short text naming the minimum', () => {
    expect(checkText('漏水', 4, 1000)).toEqual({ ok: false, error: 'input.too_short', params: { min: 4 } });
  });

  it('refuses too long text naming the limit and the length', () => {
    expect(checkText('a'.repeat(11), 1, 10)).toEqual({
      ok: false,
      error: 'input.too_long',
      params: { max: 10, length: 11 },
    });
    expect(checkText('a'.repeat(10), 1, 10).ok).toBe(true);
  });

  it('has a hard limit no step may exceed', () => {
    expect(HARD_TEXT_LIMIT).toBe(4000);
  });
});

describe('checkPhone', () => {
  it.each([
    ['13812345678', '+8613812345678'],
    ['+86 138 1234 5678', '+8613812345678'],
    ['008613812345678', '+8613812345678'],
    ['+44 20 7946 0958', '+442079460958'],
    ['１３８１２３４５６７８', '+8613812345678'],
    ['138-1234-5678', '+8613812345678'],
    ['(138) 1234 5678', '+8613812345678'],
    ['0571-88888888', '+8657188888888'],
    ['+852 9123 4567', '+85291234567'],
  ])('accepts %s as %s', (text, e164) => {
    expect(checkPhone(text)).toEqual({ ok: true, value: e164 });
  });

  it.each([
    '12345',
    '2345678901',
    '1381234567',
    '138123456789',
    '+8613812345678x',
    'call me',
    '',
    '13812345678 or 13912345678',
  ])('refuses %j', (text) => {
    expect(checkPhone(text)).toEqual({ ok: false, error: 'input.phone_invalid' });
  });
});

describe('formatPhone', () => {
  it('reads Chinese numbers back in national form and others in international form', () => {
    expect(formatPhone('+8613812345678')).toBe('138 1234 5678');
    expect(formatPhone('+442079460958')).toBe('+44 20 7946 0958');
  });

  it('leaves what it cannot parse as it is', () => {
    expect(formatPhone('not a phone')).toBe('not a phone');
  });
});

describe('checkLocation', () => {
  it('reads a flat', () => {
    expect(checkLocation('3栋2单元501')).toEqual({
      ok: true,
      value: { kind: 'unit', building: '3', unit: '2', room: '501' },
    });
  });

  it('takes anything else as a public area', () => {
    expect(checkLocation(' 东门停车场 ')).toEqual({ ok: true, value: { kind: 'public', description: '东门停车场' } });
  });

  it('refuses one character and empty text', () => {
    expect(checkLocation('门')).toEqual({ ok: false, error: 'input.too_short', params: { min: 2 } });
    expect(checkLocation('  ')).toEqual({ ok: false, error: 'input.empty' });
  });

  it('refuses more than 200 characters', () => {
    const checked = checkLocation('东'.repeat(201));
    expect(checked).toEqual({ ok: false, error: 'input.too_long', params: { max: 200, length: 201 } });
  });
});

describe('checkRating', () => {
  it.each([
    ['5', 5],
    ['５', 5],
    ['5分', 5],
    ['5 points', 5],
    ['1 point', 1],
    [' 10 ', 10],
    ['1', 1],
  ])('reads %j as %d on a 1–10 scale', (text, n) => {
    expect(checkRating(text, 1, 10)).toEqual({ ok: true, value: n });
  });

  it.each(['0', '11', '5.5', 'abc', '', '-1', '100'])('refuses %j on a 1–10 scale, naming the range', (text) => {
    expect(checkRating(text, 1, 10)).toEqual({ ok: false, error: 'input.rating_invalid', params: { min: 1, max: 10 } });
  });

  it('accepts 0 where the scale starts at 0', () => {
    expect(checkRating('0', 0, 10)).toEqual({ ok: true, value: 0 });
  });
});

describe('checkYesNo', () => {
  it.each(['是', '是的', '好的', '对', '有', '解决了', 'yes', 'YES!', 'y', 'ok', ' Yeah '])(
    'reads %j as yes',
    (text) => {
      expect(checkYesNo(text)).toEqual({ ok: true, value: true });
    },
  );

  it.each(['否', '不是', '没有', '否。', '未解决', 'no', 'No.', 'n', 'nope'])('reads %j as no', (text) => {
    expect(checkYesNo(text)).toEqual({ ok: true, value: false });
  });

  it.each(['maybe', '也许', '', '1'])('refuses %j', (text) => {
    expect(checkYesNo(text)).toEqual({ ok: false, error: 'input.choose' });
  });
});

describe('parseIndex', () => {
  it.each([
    ['1', 1],
    ['１', 1],
    ['２', 2],
    ['2.', 2],
    ['3。', 3],
    ['3、', 3],
    ['1)', 1],
    [' 7 ', 7],
    ['12', 12],
    ['0', 0],
  ])('reads %j as %d', (text, n) => {
    expect(parseIndex(text)).toBe(n);
  });

  it.each(['100', '', 'a', '1a', '3栋', '-1', '1.5'])('reads no index from %j', (text) => {
    expect(parseIndex(text)).toBeUndefined();
  });
});
