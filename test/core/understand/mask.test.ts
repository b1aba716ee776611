import { describe, expect, it } from 'vitest';
import { containsContactData, MASK, mask } from '../../../src/core/understand/mask.js';

describe('mask', () => {
  it.each([
    ['电话13812345678', '电话[PHONE]'],
    ['手机 138 1234 5678', '手机 [PHONE]'],
    ['138-1234-5678', '[PHONE]'],
    ['+86 138 1234 5678', '[PHONE]'],
    ['8613812345678', '[PHONE]'],
    ['座机010-12345678', '座机[PHONE]'],
    ['0755 8765 4321', '[PHONE]'],
    ['(021)12345678', '[PHONE]'],
    ['call +44 20 7946 0958 please', 'call [PHONE] please'],
    ['+1 (415) 555-0100', '[PHONE]'],
  ])('masks the phone number in %j', (text, expected) => {
    expect(mask(text)).toBe(expected);
  });

  it.each([
    ['我叫王小明，住3栋', '我叫[NAME]，住3栋'],
    ['我是李芳。', '我是[NAME]。'],
    ['我姓王，', '我姓[NAME]，'],
    ['我姓张先生', '我姓[NAME]先生'],
    ['联系人：李女士', '联系人：[NAME]女士'],
    ['My name is Anna Lee, thanks', 'My name is [NAME], thanks'],
    ["Hi, I'm Tom", "Hi, I'm [NAME]"],
    ['This is Mrs. Smith from the third floor', 'This is Mrs. [NAME] from the third floor'],
  ])('masks the name in %j', (text, expected) => {
    expect(mask(text)).toBe(expected);
  });

  it.each([
    '我是业主',
    '我是楼上的',
    '我是想问一下物业费',
    '我是新来的',
    "I'm Stuck in the lift",
    'I am not happy',
    'This is urgent',
  ])('leaves %j alone', (text) => {
    expect(mask(text)).toBe(text);
  });

  it('masks ID-card numbers and e-mail addresses', () => {
    expect(mask('身份证110101199003071234')).toBe(`身份证${MASK.id}`);
    expect(mask('身份证11010119900307123X')).toBe(`身份证${MASK.id}`);
    expect(mask('mail me at anna.lee+home@example.co.uk')).toBe(`mail me at ${MASK.email}`);
  });

  it('masks flat numbers unless they are allowed', () => {
    expect(mask('3栋2单元501漏水')).toBe('[FLAT]漏水');
    expect(mask('Bldg 3 Unit 2 Rm 501 leaking')).toBe('[FLAT] leaking');
    expect(mask('3-2-501漏水', { keepFlats: true })).toBe('3-2-501漏水');
  });

  it('masks everything at once and keeps the problem', () => {
    expect(mask('我叫王小明，电话13812345678，3栋2单元501卫生间漏水')).toBe(
      '我叫[NAME]，电话[PHONE]，[FLAT]卫生间漏水',
    );
  });

  it('leaves dates, prices and times alone', () => {
    for (const text of ['2024-11-28 下午3点', '物业费2.5元每平', 'drilling from 7am to 10pm', '等了3-5天']) {
      expect(mask(text)).toBe(text);
    }
  });

  it('tells whether a text holds contact data', () => {
    expect(containsContactData('请拨打13812345678')).toBe(true);
    expect(containsContactData('write to a@b.com')).toBe(true);
    expect(containsContactData('明天上午师傅上门')).toBe(false);
  });
});
