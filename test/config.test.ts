import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, type Config, ConfigError, configWarnings, loadConfig, loadDotEnv } from '../src/config.js';

const TOKEN = '123456789:AAE-secret_Token_value';

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

function errorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the defaults to an empty environment', () => {
    const expected: Config = {
      dataDir: './data',
      defaultLocale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      estateName: 'residesk',
      dutyPhone: '',
      startupRetryMs: 120_000,
      retention: { messageLogMs: 90 * 86_400_000, deliveredOutboxMs: 7 * 86_400_000, auditLogMs: 1096 * 86_400_000 },
      logLevel: 'info',
      logFormat: 'json',
      supervisors: [],
      managers: [],
      businessHours: { start: 8 * 60, end: 20 * 60 },
      quietHours: { start: 21 * 60, end: 8 * 60 },
      schedulerTickMs: 15_000,
      reviewAutoSend: true,
      broadcastPerSecond: 20,
      delivery: { concurrency: 16, sendTimeoutMs: 45_000, leaseMs: 4000 },
      revisitAfterMs: 86_400_000,
      revisitRemindAfterMs: 86_400_000,
      revisitReopenAt: 6,
      revisitAfterByCategory: {},
      sla: {
        emergency: { acceptMs: 300_000, resolveMs: 7_200_000 },
        urgent: { acceptMs: 900_000, resolveMs: 86_400_000 },
        normal: { acceptMs: 7_200_000, resolveMs: 259_200_000 },
        complaint: { acceptMs: 3_600_000, progressMs: 14_400_000, resolveMs: 86_400_000 },
      },
      enquiryAnswerMs: 1_800_000,
      telegram: null,
      wechat: null,
      wecom: null,
      wechatMp: null,
      mongo: null,
      ai: null,
    };
    expect(loadConfig({})).toStrictEqual(expected);
  });

  it('treats empty and blank strings as unset', () => {
    const env = Object.fromEntries(CONFIG_VARIABLES.map(({ name }, i) => [name, i % 2 ? '' : '   ']));
    expect(loadConfig(env)).toStrictEqual(loadConfig({}));
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ HOME: '/root', PATH: '/bin' })).toStrictEqual(loadConfig({}));
  });

  it('reports every problem at once, in schema order, one line each', () => {
    const error = errorOf({
      AI_TIMEOUT: 'soon',
      DEFAULT_LOCALE: 'fr',
      TZ: 'Mars/Olympus_Mons',
      LOG_LEVEL: 'verbose',
      DUTY_PHONE: 'call me',
      BUSINESS_HOURS: '20:00-08:00',
      SCHEDULER_TICK: '1x',
      REVISIT_REOPEN_AT: '11',
      PORT: '70000',
      WECHAT_ACCEPT_FRIENDS: 'maybe',
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.name).toBe('ConfigError');
    expect(error.problems.map((line) => line.split(':')[0])).toEqual([
      'DEFAULT_LOCALE',
      'TZ',
      'DUTY_PHONE',
      'LOG_LEVEL',
      'BUSINESS_HOURS',
      'SCHEDULER_TICK',
      'REVISIT_REOPEN_AT',
      'PORT',
      'WECHAT_ACCEPT_FRIENDS',
      'AI_TIMEOUT',
    ]);
    for (const line of error.problems) {
      expect(line).toMatch(/^[A-Z_]+: [^\n]+; accepted: [^\n]+$/);
      expect(error.message).toContain(line);
    }
    expect(error.problems[1]).toContain('"Mars/Olympus_Mons"');
  });

  it('rejects a time zone luxon does not know', () => {
    expect(problemsOf({ TZ: 'Asia/Atlantis' })).toEqual([expect.stringMatching(/^TZ: not a known IANA time zone/)]);
    expect(loadConfig({ TZ: 'Europe/London' }).timeZone).toBe('Europe/London');
  });

  it('reads durations', () => {
    const config = loadConfig({
      SCHEDULER_TICK: '500ms',
      REVISIT_AFTER: '2d12h',
      SLA_URGENT_ACCEPT: ' 1h30m ',
      WECHAT_SEND_INTERVAL: '0s',
      WECHATY_PUPPET: 'wechaty-puppet-wechat4u',
      WECHAT_STAFF_ROOM: 'Service centre',
    });
    expect(config.schedulerTickMs).toBe(500);
    expect(config.revisitAfterMs).toBe(216_000_000);
    expect(config.sla.urgent.acceptMs).toBe(5_400_000);
    expect(config.wechat?.sendIntervalMs).toBe(0);
  });

  it('rejects malformed and zero durations where zero makes no sense', () => {
    const problems = problemsOf({ SCHEDULER_TICK: '0s', SLA_NORMAL_RESOLVE: '3', AI_TIMEOUT: '-8s' });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^SCHEDULER_TICK: must be longer than zero/);
    expect(problems[1]).toMatch(/^SLA_NORMAL_RESOLVE: not a duration/);
  });

  it('reads per-category revisit delays', () => {
    const config = loadConfig({ REVISIT_AFTER_BY_CATEGORY: 'leaks_fabric=3d, heating = 48h,' });
    expect(config.revisitAfterByCategory).toEqual({ leaks_fabric: 259_200_000, heating: 172_800_000 });
    expect(problemsOf({ REVISIT_AFTER_BY_CATEGORY: 'roof=3d' })[0]).toMatch(/unknown category "roof"/);
    expect(problemsOf({ REVISIT_AFTER_BY_CATEGORY: 'lift=soon' })[0]).toMatch(/not a duration for "lift"/);
    expect(problemsOf({ REVISIT_AFTER_BY_CATEGORY: 'lift=1h,lift=2h' })[0]).toMatch(/given twice/);
  });

  it('reads business and quiet hours', () => {
    expect(loadConfig({ BUSINESS_HOURS: '24h', QUIET_HOURS: 'off' })).toMatchObject({
      businessHours: { start: 0, end: 1440 },
      quietHours: null,
    });
    expect(loadConfig({ QUIET_HOURS: 'OFF' }).quietHours).toBeNull();
    expect(loadConfig({ BUSINESS_HOURS: '8:30 - 17:45', QUIET_HOURS: '22:00-24:00' })).toMatchObject({
      businessHours: { start: 510, end: 1065 },
      quietHours: { start: 1320, end: 1440 },
    });
    expect(problemsOf({ BUSINESS_HOURS: '20:00-08:00', QUIET_HOURS: '21:00-21:00' })).toEqual([
      expect.stringMatching(/^BUSINESS_HOURS: business hours cannot wrap past midnight/),
      expect.stringMatching(/^QUIET_HOURS: /),
    ]);
    expect(problemsOf({ QUIET_HOURS: '9pm-8am' })).toHaveLength(1);
    expect(problemsOf({ QUIET_HOURS: '24:30-08:00' })).toHaveLength(1);
  });

  it('reads booleans in every accepted spelling', () => {
    const on = { WECHATY_PUPPET: 'p', WECHAT_STAFF_ROOM: 'r' };
    for (const word of ['true', '1', 'yes', 'on', 'TRUE', 'Yes']) {
      expect(loadConfig({ ...on, WECHAT_ACCEPT_FRIENDS: word }).wechat?.acceptFriends).toBe(true);
    }
    for (const word of ['false', '0', 'no', 'off']) {
      expect(loadConfig({ ...on, WECHAT_ACCEPT_FRIENDS: word }).wechat?.acceptFriends).toBe(false);
    }
    expect(problemsOf({ AI_SEND_PERSONAL_DATA: 'y' })).toHaveLength(1);
  });

  it('reads staff lists with optional channel prefixes', () => {
    const config = loadConfig({ SUPERVISORS: 'telegram:12345, wechat:wxid_abc,console:staff,777,', MANAGERS: '42' });
    expect(config.supervisors).toEqual([
      { channel: 'telegram', userId: '12345' },
      { channel: 'wechat', userId: 'wxid_abc' },
      { channel: 'console', userId: 'staff' },
      { userId: '777' },
    ]);
    expect(config.managers).toEqual([{ userId: '42' }]);
    expect(problemsOf({ MANAGERS: 'sms:123' })[0]).toMatch(/^MANAGERS: unknown channel "sms"/);
    expect(problemsOf({ MANAGERS: 'telegram:' })).toHaveLength(1);
  });

  it('checks the duty phone', () => {
    expect(loadConfig({ DUTY_PHONE: '+86 10-1234 5678' }).dutyPhone).toBe('+86 10-1234 5678');
    expect(problemsOf({ DUTY_PHONE: '12' })).toHaveLength(1);
    expect(problemsOf({ DUTY_PHONE: '---' })).toHaveLength(1);
  });

  it('builds the Telegram section when a token and staff chat are set', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_STAFF_CHAT_ID: '-1001234567890',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/hook',
      PORT: '3000',
      TELEGRAM_RATE_GROUP: '10',
    });
    expect(config.telegram).toStrictEqual({
      token: TOKEN,
      staffChatId: -1001234567890,
      webhookUrl: 'https://bot.example.com/hook',
      port: 3000,
      rates: { globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 10 },
    });
  });

  it('requires a staff chat id with a Telegram token, and a staff room with a WeChat puppet', () => {
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: TOKEN, WECHATY_PUPPET: 'wechaty-puppet-wechat4u' })).toEqual([
      expect.stringMatching(/^TELEGRAM_STAFF_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set; accepted: /),
      expect.stringMatching(/^WECHAT_STAFF_ROOM: required when WECHATY_PUPPET is set; accepted: /),
    ]);
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_STAFF_CHAT_ID: 'staff' })).toEqual([
      expect.stringMatching(/^TELEGRAM_STAFF_CHAT_ID: not a whole number/),
    ]);
  });

  it('never echoes a secret in an error', () => {
    const secrets = {
      TELEGRAM_BOT_TOKEN: 'not a token hunter2',
      TELEGRAM_WEBHOOK_SECRET: 'bad secret hunter3!',
      TELEGRAM_WEBHOOK_URL: 'ftp://user:hunter4@example.com/hook',
      TELEGRAM_API_ROOT: 'not a url hunter5',
      MONGODB_URI: 'mongo://admin:hunter6@db.example.com',
      OPENAI_API_KEY: 'sk-has space hunter7',
      OPENAI_BASE_URL: 'file:///hunter8',
    };
    const error = errorOf({ ...secrets, TELEGRAM_STAFF_CHAT_ID: '-100' });
    expect(error.problems.map((line) => line.split(':')[0])).toEqual(Object.keys(secrets).sort(bySchemaOrder));
    const everything = [error.message, String(error.stack), JSON.stringify(error), ...error.problems].join('\n');
    expect(everything).not.toMatch(/hunter/);
  });

  it('never echoes a valid secret when something else is wrong', () => {
    const error = errorOf({
      TELEGRAM_BOT_TOKEN: TOKEN,
      MONGODB_URI: 'mongodb+srv://admin:hunter9@cluster.example.net/residesk',
      OPENAI_API_KEY: 'sk-valid-hunter10',
    });
    expect(error.problems).toHaveLength(1);
    expect([error.message, String(error.stack)].join('\n')).not.toMatch(/hunter|AAE-secret/);
  });

  it('builds the MongoDB and AI sections when configured', () => {
    const config = loadConfig({
      MONGODB_URI: 'mongodb://localhost:27017/residesk',
      OPENAI_API_KEY: 'sk-test',
      AI_SEND_PERSONAL_DATA: 'yes',
      AI_CALLS_PER_MINUTE: '5',
    });
    expect(config.mongo).toStrictEqual({ uri: 'mongodb://localhost:27017/residesk', serverSelectionTimeoutMs: 5_000 });
    expect(config.ai).toStrictEqual({
      apiKey: 'sk-test',
      model: 'gpt-4o-mini',
      timeoutMs: 8_000,
      callsPerMinute: 5,
      sendPersonalData: true,
    });
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ SUPERVISORS: 'telegram:1', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_STAFF_CHAT_ID: '-1' });
    for (const part of [config, config.sla, config.sla.complaint, config.supervisors, config.supervisors[0]]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(config.telegram?.rates)).toBe(true);
    expect(() => {
      (config as { dataDir: string }).dataDir = '/tmp';
    }).toThrow(TypeError);
  });
});

function bySchemaOrder(a: string, b: string): number {
  const names = CONFIG_VARIABLES.map(({ name }) => name);
  return names.indexOf(a) - names.indexOf(b);
}

describe('.env.example', () => {
  const lines = readFileSync(new URL('../.env.example', import.meta.url), 'utf8').split('\n');
  const entries = lines.flatMap((line, index) => {
    const match = /^#? ?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [{ name: match[1], value: match[2], comment: lines[index - 1] ?? '' }] : [];
  });

  it('lists every variable once, in schema order', () => {
    expect(entries.map(({ name }) => name)).toEqual(CONFIG_VARIABLES.map(({ name }) => name));
  });

  it('shows each default and explains each variable on the line above', () => {
    for (const variable of CONFIG_VARIABLES) {
      const entry = entries.find(({ name }) => name === variable.name);
      expect(entry?.value, variable.name).toBe(variable.fallback ?? '');
      expect(entry?.comment, variable.name).toMatch(/^# .+Default: .+$/);
    }
  });
});

describe('loadDotEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'residesk-env-'));
  const touched = ['RESIDESK_TEST_FROM_FILE', 'RESIDESK_TEST_ALREADY_SET'];

  afterEach(() => {
    for (const name of touched) delete process.env[name];
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a file without overriding variables already set', () => {
    const path = join(dir, '.env');
    writeFileSync(path, '# comment\nRESIDESK_TEST_FROM_FILE="from file"\nRESIDESK_TEST_ALREADY_SET=from file\n');
    process.env.RESIDESK_TEST_ALREADY_SET = 'from environment';
    expect(loadDotEnv(path)).toBe(true);
    expect(process.env.RESIDESK_TEST_FROM_FILE).toBe('from file');
    expect(process.env.RESIDESK_TEST_ALREADY_SET).toBe('from environment');
  });

  it('does nothing when the file does not exist', () => {
    expect(loadDotEnv(join(dir, 'missing.env'))).toBe(false);
  });
});

describe('configWarnings', () => {
  const TELEGRAM = { TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi', TELEGRAM_STAFF_CHAT_ID: '-1001234567890' };

  it('warns when owners on a platform would get no duty number in an emergency', () => {
    const [warning, ...rest] = configWarnings(loadConfig(TELEGRAM));
    expect(warning).toMatch(/^DUTY_PHONE is not set/);
    expect(rest).toEqual([]);
  });

  it('says nothing once DUTY_PHONE is set, or in the console', () => {
    expect(configWarnings(loadConfig({ ...TELEGRAM, DUTY_PHONE: '0571-88886666' }))).toEqual([]);
    expect(configWarnings(loadConfig({}))).toEqual([]);
  });
});
