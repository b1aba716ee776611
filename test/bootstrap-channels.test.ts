import { describe, expect, it } from 'vitest';
import { isConsoleMode, staffRooms } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';

/** Each platform alone, as an operator's .env would set it. */
const ALONE = {
  telegram: { TELEGRAM_BOT_TOKEN: '123456:ABCdef', TELEGRAM_STAFF_CHAT_ID: '-1001234567890' },
  wecom: { WECOM_BOT_ID: 'aibot-residesk', WECOM_BOT_SECRET: 'secret-of-the-bot', WECOM_STAFF_CHAT_ID: 'wrkSFfCgAA' },
  wechatMp: {
    WECHAT_MP_APP_ID: 'wx5823bf96d3bd56c7',
    WECHAT_MP_APP_SECRET: '0123456789abcdef0123456789abcdef',
    WECHAT_MP_TOKEN: 'QDG6eK',
  },
} as const;

describe('which channels start', () => {
  it('is the console only when no platform is configured', () => {
    expect(isConsoleMode(loadConfig({}))).toBe(true);
    for (const env of Object.values(ALONE)) expect(isConsoleMode(loadConfig(env))).toBe(false);
  });

  it('posts staff cards to the WeCom group when WeCom is the staff desk', () => {
    expect(staffRooms(loadConfig(ALONE.wecom), { console: false })).toEqual([
      { channel: 'wecom', chatId: 'wrkSFfCgAA' },
    ]);
    expect(staffRooms(loadConfig({ ...ALONE.telegram, ...ALONE.wecom }), { console: false })).toEqual([
      { channel: 'telegram', chatId: '-1001234567890' },
      { channel: 'wecom', chatId: 'wrkSFfCgAA' },
    ]);
  });
});

describe('WECOM_STAFF_NAMES', () => {
  it('names staff by their WeCom userid, and says which pair is wrong', () => {
    const names = loadConfig({ ...ALONE.wecom, WECOM_STAFF_NAMES: 'wangwei:王师傅, lina:李娜' }).wecom?.staffNames;
    expect([...(names ?? [])]).toEqual([
      ['wangwei', '王师傅'],
      ['lina', '李娜'],
    ]);
    expect(loadConfig(ALONE.wecom).wecom?.staffNames.size).toBe(0);
    expect(() => loadConfig({ ...ALONE.wecom, WECOM_STAFF_NAMES: 'wangwei:王师傅,李娜' })).toThrow(/李娜/);
  });
});
