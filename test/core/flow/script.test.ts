import { describe, expect, it } from 'vitest';
import { readScript } from '../../../src/core/flow/script.js';

describe('readScript', () => {
  it.each([
    'water is pouring through my ceiling',
    'fire in building 7',
    'hello there',
    'my flat is 3栋2单元501 and the tap leaks',
    'what are the office hours?',
  ])('reads %j as English', (text) => {
    expect(readScript(text)).toBe('latin');
  });

  it.each(['你们办公时间是几点', '小区wifi连不上', '3栋电梯坏了', 'B区车库的灯不亮', '家裡煤氣味很重'])(
    'reads %j as Chinese',
    (text) => {
      expect(readScript(text)).toBe('han');
    },
  );

  it.each(['hi 你好', '电梯坏了 the lift is broken', '漏水 leak'])('is unsure of %j', (text) => {
    expect(readScript(text)).toBe('mixed');
  });

  it.each(['1', '3-2-501', '👍', '/start', 'https://example.com', '', 'ok', 'hi', 'Hello!'])(
    'reads no language from %j',
    (text) => {
      expect(readScript(text)).toBeUndefined();
    },
  );
});
