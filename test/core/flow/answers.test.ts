import { describe, expect, it } from 'vitest';
import {
  asksForInformation,
  checkLocation,
  checkName,
  checkPhone,
  checkRating,
  checkText,
  checkYesNo,
  cleanText,
  fold,
  formatPhone,
  HARD_TEXT_LIMIT,
  isQuestionFor,
  isSlashCommand,
  parseIndex,
  readPlace,
  readsAsQuestion,
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

  it('gives the same text each time a number is read back', () => {
    const numbers = ['+8613912345670', '+8610 8888 8888', '+12025550143', '+85291234567', 'not a phone 2'];
    const first = numbers.map(formatPhone);
    expect(first).toEqual(['139 1234 5670', '010 8888 8888', '+1 202 555 0143', '+852 9123 4567', 'not a phone 2']);
    for (let i = 0; i < 3; i++) expect(numbers.map(formatPhone)).toEqual(first);
  });

  it('gives the same texts once more numbers were read back than it keeps', () => {
    const numbers = Array.from({ length: 2500 }, (_, i) => `+86137${String(i * 3331).padStart(8, '0')}`);
    const first = numbers.map(formatPhone);
    expect(first[1]).toBe('137 0000 3331');
    expect([...numbers].reverse().map(formatPhone)).toEqual([...first].reverse());
    expect(numbers.map(formatPhone)).toEqual(first);
  });

  it('formats a text too long to keep as it would any other, each time', () => {
    const long = `+86 138 1234 5678 ${' '.repeat(40)}`;
    expect(formatPhone(long)).toBe('138 1234 5678');
    expect(formatPhone(long)).toBe('138 1234 5678');
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

describe('checkYesNo: what people type', () => {
  it.each([
    '可以',
    '好的',
    '好',
    '行',
    '嗯',
    '嗯嗯',
    '对',
    '没问题',
    '是的',
    'ok',
    'OK!',
    'sure',
    'Yes please',
    'okay',
  ])('reads %j as yes', (text) => {
    expect(checkYesNo(text)).toEqual({ ok: true, value: true });
  });

  it.each(['不', '不用', '不用了', '没有', '不行', '不要', '算了', 'no thanks', 'No, thank you'])(
    'reads %j as no',
    (text) => {
      expect(checkYesNo(text)).toEqual({ ok: true, value: false });
    },
  );

  it.each(['可以吗', '不知道', '好像是', 'ok but', '行不行'])('does not guess at %j', (text) => {
    expect(checkYesNo(text).ok).toBe(false);
  });
});

describe('parseIndex: ordinals as people type them', () => {
  it.each([
    ['一', 1],
    ['第一个', 1],
    ['第1个', 1],
    ['第二', 2],
    ['三个', 3],
    ['①', 1],
    ['③', 3],
    ['first', 1],
    ['the first one', 1],
    ['Second', 2],
    ['option 2', 2],
    ['no. 3', 3],
  ])('reads %j as %d', (text, n) => {
    expect(parseIndex(text)).toBe(n);
  });

  it.each(['1个', '一楼', '第一次漏水', 'first floor', 'one', '十一'])('reads no index from %j', (text) => {
    expect(parseIndex(text)).toBeUndefined();
  });
});

describe('isSlashCommand', () => {
  it.each(['/accept T261128-0001', '/done', ' /reject 太贵 '])('sees a command in %j', (text) => {
    expect(isSlashCommand(text)).toBe(true);
  });
  it.each(['3/2/501', '水管漏水 /', '1/2', '/'])('sees none in %j', (text) => {
    expect(isSlashCommand(text)).toBe(false);
  });
});

describe('readsAsQuestion', () => {
  it.each([
    '你们办公时间是几点',
    '怎么交物业费',
    '物业在哪里',
    '停车费多少',
    '什么时候来修',
    '有人来吗？',
    '修好了吗',
    '那我的呢',
    'what are the office hours',
    'How do I pay',
    'when will someone come',
    'where is the office',
    'why is it leaking',
    'can I park here',
    'is there a gym',
    'ok?',
  ])('reads %j as a question', (text) => {
    expect(readsAsQuestion(text)).toBe(true);
  });

  it.each([
    '3栋2单元501',
    '张三',
    '厨房水管漏水，一直在滴',
    'Howard',
    'Will Smith',
    'Isabel',
    '不知道是哪里',
    'not sure where',
  ])('reads %j as no question', (text) => {
    expect(readsAsQuestion(text)).toBe(false);
  });
});

describe('asksForInformation: a question about something other than the problem', () => {
  it.each([
    '你们办公时间是几点',
    '怎么交物业费？',
    '物业费多少钱一平？',
    '请问在哪里办理门禁卡？',
    '服务中心在哪？',
    'what are the office hours?',
    'How do I pay the management fee?',
    'how much is the parking fee?',
    'where is the management office?',
  ])('%j asks for information', (text) => {
    expect(asksForInformation(text)).toBe(true);
  });

  it.each([
    '为什么天天漏水？',
    '楼上漏水怎么办？',
    '物业费为什么又涨了？',
    '怎么又停水了？',
    '水管漏了，能不能尽快来修？',
    'why is my ceiling leaking again?',
    'the tap in my kitchen drips, can you fix it?',
    '厨房水管漏水，一直在滴',
  ])('%j tells of a problem', (text) => {
    expect(asksForInformation(text)).toBe(false);
  });
});

describe('isQuestionFor: by what the step reads', () => {
  it('refuses any question for a name or a short value, only requests for information in a report, none in a reply', () => {
    expect(isQuestionFor('what are the office hours', 'name')).toBe(true);
    expect(isQuestionFor('你们几点上班？', 'value')).toBe(true);
    expect(isQuestionFor('为什么天天漏水？', 'value')).toBe(true);
    expect(isQuestionFor('为什么天天漏水？', 'report')).toBe(false);
    expect(isQuestionFor('你们办公时间是几点', 'report')).toBe(true);
    expect(isQuestionFor('你们办公时间是几点', 'reply')).toBe(false);
    expect(isQuestionFor('明天下午可以吗？', 'reply')).toBe(false);
    expect(isQuestionFor('张三', 'name')).toBe(false);
  });
});

describe('checkName', () => {
  it.each([
    ['张三', '张三'],
    ['王阿姨', '王阿姨'],
    ['我叫李明', '李明'],
    ['my name is Li Ming', 'Li Ming'],
    ['Mr. Smith', 'Mr. Smith'],
    ['欧阳·娜娜', '欧阳·娜娜'],
    ['a'.repeat(20), 'a'.repeat(20)],
  ])('takes %j as %j', (text, name) => {
    expect(checkName(text)).toEqual({ ok: true, value: name });
  });

  it.each([
    ['a'.repeat(21), 'input.name_too_long'],
    ['我家厨房漏水了，快来修', 'input.name_sentence'],
    ['楼上漏水', 'input.name_sentence'],
    ['好了吗', 'input.name_sentence'],
    ['my tap leaks a lot', 'input.name_sentence'],
    ['12345', 'input.name_letters'],
    ['👍', 'input.name_letters'],
    ['  ', 'input.empty'],
  ])('refuses %j with %s', (text, error) => {
    expect(checkName(text)).toMatchObject({ ok: false, error });
  });
});

describe('readPlace', () => {
  it('reads a flat in any usual form as known', () => {
    expect(readPlace('三栋二单元501')).toEqual({
      value: { kind: 'unit', building: '3', unit: '2', room: '501' },
      known: true,
    });
    expect(readPlace('3-2-501').known).toBe(true);
  });

  it('keeps a public place we know as known, the whole text as its description', () => {
    expect(readPlace('地下车库B区')).toEqual({ value: { kind: 'public', description: '地下车库B区' }, known: true });
    expect(readPlace('the stairwell').known).toBe(true);
  });

  it('reads a place in no form we know as unknown, to be read back', () => {
    expect(readPlace('李先生')).toEqual({ value: { kind: 'public', description: '李先生' }, known: false });
    expect(readPlace('你们办公时间是几点').known).toBe(false);
  });
});
