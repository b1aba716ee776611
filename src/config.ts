/**
 * Configuration from environment variables: one zod schema, one entry per variable, in the order
 * `.env.example` lists them. Every problem is reported at once, and no secret is ever echoed.
 */
import { existsSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { parseDuration } from './core/duration.js';
import type { SlaDeadlines } from './core/tickets/sla.js';
import type { DailyWindow } from './core/time.js';
import { CATEGORIES, CHANNELS, type Channel, LOCALES, type Locale } from './core/types.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';

export type { DailyWindow, SlaDeadlines };

/** A staff member named in configuration by platform user id, optionally tied to one channel. */
export interface StaffRef {
  readonly channel?: Channel;
  readonly userId: string;
}

/** The validated, frozen application configuration. */
export interface Config {
  /** Where the embedded SQLite store and attachments live. */
  readonly dataDir: string;
  readonly defaultLocale: Locale;
  /** IANA zone that business hours, quiet hours and dates are reckoned in. */
  readonly timeZone: string;
  readonly estateName: string;
  /** The duty phone owners are told to ring in an emergency; `''` when not configured. */
  readonly dutyPhone: string;
  /** How long start-up keeps trying a messaging platform that does not answer before exiting with status 3. */
  readonly startupRetryMs: number;
  /** How long the message log and delivered outbox items are kept (see src/app/retention.ts). */
  readonly retention: { readonly messageLogMs: number; readonly deliveredOutboxMs: number };
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly supervisors: readonly StaffRef[];
  readonly managers: readonly StaffRef[];
  /** The service centre's working hours; never wraps midnight. */
  readonly businessHours: DailyWindow;
  /** When owners are not sent non-urgent messages; null when switched off. */
  readonly quietHours: DailyWindow | null;
  readonly schedulerTickMs: number;
  /** Survey invitations a second on Telegram (below its 30 a second, with room kept for conversations). */
  readonly broadcastPerSecond: number;
  /**
   * The dispatcher: deliveries at once (each to a different chat), how long one may take before its
   * outcome is taken as unknown, and how long an outbox lease outlives a stopped process.
   */
  readonly delivery: { readonly concurrency: number; readonly sendTimeoutMs: number; readonly leaseMs: number };
  /** How long after a ticket is resolved the owner is asked how it went. */
  readonly revisitAfterMs: number;
  /** How long after an unanswered revisit question the owner is reminded once. */
  readonly revisitRemindAfterMs: number;
  /** A revisit satisfaction score (1–10) at or below this reopens the ticket. */
  readonly revisitReopenAt: number;
  /** Per-category overrides of `revisitAfterMs`, keyed by category. */
  readonly revisitAfterByCategory: Readonly<Record<string, number>>;
  readonly sla: {
    readonly emergency: SlaDeadlines;
    readonly urgent: SlaDeadlines;
    /** Counted in business time. */
    readonly normal: SlaDeadlines;
    readonly complaint: SlaDeadlines & { readonly progressMs: number };
  };
  /**
   * How long staff have to answer an enquiry (咨询) or 转人工 the knowledge did not answer, counted in
   * business time: asked out of hours, it runs from the next opening.
   */
  readonly enquiryAnswerMs: number;
  /** Null when TELEGRAM_BOT_TOKEN is not set. */
  readonly telegram: null | {
    readonly token: string;
    readonly staffChatId: number;
    readonly apiRoot?: string;
    readonly webhookUrl?: string;
    readonly webhookSecret?: string;
    readonly port: number;
    readonly rates: {
      readonly globalPerSecond: number;
      readonly privatePerSecond: number;
      readonly groupPerMinute: number;
    };
  };
  /** Null when WECHATY_PUPPET is not set. */
  readonly wechat: null | {
    readonly puppet: string;
    readonly staffRoom: string;
    readonly acceptFriends: boolean;
    readonly sendIntervalMs: number;
  };
  /** Null when WECOM_BOT_ID is not set: the WeCom (企业微信) smart bot in the staff group. */
  readonly wecom: null | {
    readonly botId: string;
    readonly secret: string;
    /** The staff group's chatid, as WeCom gives it with a message from the group. */
    readonly staffChatId: string;
    /** The long-connection address; WeCom's own (wss://openws.work.weixin.qq.com) when unset. */
    readonly wsUrl?: string;
    /** Staff names by WeCom userid (WeCom tells the bot only the userid): what cards and owners are shown. */
    readonly staffNames: ReadonlyMap<string, string>;
  };
  /** Null when WECHAT_MP_APP_ID is not set: the WeChat Service Account (服务号) for owners. */
  readonly wechatMp: null | {
    readonly appId: string;
    readonly appSecret: string;
    /** The callback's Token, set on the platform beside the server URL. */
    readonly token: string;
    /** The EncodingAESKey for safe mode; plain mode only when unset. */
    readonly aesKey?: string;
    /** The API's base address; WeChat's own when unset (a local server in tests). */
    readonly apiRoot?: string;
    /** The callback's URL path, and the port its server listens on. */
    readonly path: string;
    readonly port: number;
    /** The menu file created at start-up; null to leave the account's menu as it is. */
    readonly menuFile: string | null;
  };
  /** Null when MONGODB_URI is not set. */
  readonly mongo: null | {
    readonly uri: string;
    readonly serverSelectionTimeoutMs: number;
  };
  /** Null when OPENAI_API_KEY is not set. */
  readonly ai: null | {
    readonly apiKey: string;
    readonly baseUrl?: string;
    readonly model: string;
    readonly timeoutMs: number;
    readonly callsPerMinute: number;
    /** Whether names, phone numbers and flat numbers may be sent to the model. */
    readonly sendPersonalData: boolean;
  };
}

/** Thrown by {@link loadConfig} with every problem found, one line per problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  /** Lines of the form `VARIABLE: what was wrong; accepted: what it accepts`. */
  readonly problems: string[];

  constructor(problems: string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`Invalid configuration (${count}):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** What the schema records about each variable, for error messages and documentation. */
interface VariableDoc {
  /** What the variable accepts, in words. */
  accepts: string;
  /** The value used when the variable is unset, as it would be written in `.env`. */
  fallback?: string;
  /** Never echo the value: it is, or may contain, a credential. */
  secret?: boolean;
}

const variableDocs = z.registry<VariableDoc>();

class Invalid {
  constructor(readonly reason: string) {}
}
const invalid = (reason: string) => new Invalid(reason);

type Parser<T> = (text: string) => T | Invalid;

function parsed<T>(parse: Parser<T>) {
  return z.string().transform((text, ctx): T => {
    const result = parse(text);
    if (result instanceof Invalid) {
      ctx.issues.push({ code: 'custom', message: result.reason, input: text });
      return z.NEVER;
    }
    return result;
  });
}

function withDefault<T>(fallback: string, parse: Parser<T>, doc: Omit<VariableDoc, 'fallback'>) {
  return parsed(parse)
    .prefault(fallback)
    .register(variableDocs, { ...doc, fallback });
}

function optional<T>(parse: Parser<T>, doc: Omit<VariableDoc, 'fallback'>) {
  return parsed(parse).optional().register(variableDocs, doc);
}

const text =
  (maxLength = 200): Parser<string> =>
  (value) =>
    value.length <= maxLength ? value : invalid(`longer than ${maxLength} characters`);

function oneOf<const V extends string>(choices: readonly V[]): Parser<V> {
  return (value) =>
    choices.find((choice) => choice.toLowerCase() === value.toLowerCase()) ?? invalid('not one of the choices');
}

function integer(min: number, max: number): Parser<number> {
  return (value) => {
    if (!/^[+-]?\d+$/.test(value)) return invalid('not a whole number');
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) return invalid('out of range');
    return n;
  };
}

function duration({ allowZero = false } = {}): Parser<number> {
  return (value) => {
    const ms = parseDuration(value);
    if (ms === undefined) return invalid('not a duration');
    if (ms === 0 && !allowZero) return invalid('must be longer than zero');
    return ms;
  };
}

/** Retention ages: what reads the message log looks up to a day back (is the owner awake?). */
const atLeastADay: Parser<number> = (value) => {
  const ms = parseDuration(value);
  if (ms === undefined) return invalid('not a duration');
  if (ms < 86_400_000) return invalid('must be at least 1d');
  return ms;
};

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

const boolean: Parser<boolean> = (value) => {
  const word = value.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return invalid('not a yes/no value');
};

const timeZone: Parser<string> = (value) =>
  IANAZone.isValidZone(value) ? value : invalid('not a known IANA time zone');

const phone: Parser<string> = (value) =>
  /^[\d +-]{3,20}$/.test(value) && /\d/.test(value) ? value : invalid('not a phone number');

const staffList: Parser<StaffRef[]> = (value) => {
  const refs: StaffRef[] = [];
  const seen = new Set<string>();
  for (const item of value.split(',').map((part) => part.trim())) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const prefix = colon >= 0 ? item.slice(0, colon).trim().toLowerCase() : undefined;
    const userId = colon >= 0 ? item.slice(colon + 1).trim() : item;
    if (prefix !== undefined && !(CHANNELS as readonly string[]).includes(prefix)) {
      return invalid(`unknown channel "${prefix}"`);
    }
    if (userId === '' || /\s/.test(userId)) return invalid(`"${item}" is not a user id`);
    const ref: StaffRef = prefix === undefined ? { userId } : { channel: prefix as Channel, userId };
    const key = `${ref.channel ?? ''}:${userId}`;
    if (!seen.has(key)) refs.push(ref);
    seen.add(key);
  }
  return refs;
};

function minutesOfDay(clock: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(clock.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) return undefined;
  return hours * 60 + minutes;
}

function dailyWindow(value: string): DailyWindow | Invalid {
  const [from, to, ...rest] = value.split('-');
  const start = from === undefined ? undefined : minutesOfDay(from);
  const end = to === undefined ? undefined : minutesOfDay(to);
  if (rest.length > 0 || start === undefined || end === undefined || start === 1440) {
    return invalid('not a time range');
  }
  if (start === end) return invalid('start and end are the same time');
  return { start, end };
}

const businessHours: Parser<DailyWindow> = (value) => {
  if (value.toLowerCase() === '24h') return { start: 0, end: 1440 };
  const window = dailyWindow(value);
  if (window instanceof Invalid) return window;
  return window.start < window.end ? window : invalid('business hours cannot wrap past midnight');
};

const quietHours: Parser<DailyWindow | null> = (value) => {
  if (value.toLowerCase() === 'off') return null;
  return dailyWindow(value);
};

const categoryDurations: Parser<Record<string, number>> = (value) => {
  const byCategory: Record<string, number> = {};
  const parseOne = duration();
  for (const item of value.split(',').map((part) => part.trim())) {
    if (item === '') continue;
    const [name = '', after = '', ...rest] = item.split('=').map((part) => part.trim());
    const category = name.toLowerCase();
    if (rest.length > 0 || after === '') return invalid(`"${item}" is not category=duration`);
    if (!(CATEGORIES as readonly string[]).includes(category)) return invalid(`unknown category "${name}"`);
    if (category in byCategory) return invalid(`category "${category}" given twice`);
    const ms = parseOne(after);
    if (ms instanceof Invalid) return invalid(`${ms.reason} for "${category}"`);
    byCategory[category] = ms;
  }
  return byCategory;
};

function httpUrl({ httpsOnly = false } = {}): Parser<string> {
  return (value) => {
    if (!URL.canParse(value)) return invalid('not a URL');
    const protocol = new URL(value).protocol;
    if (protocol === 'https:' || (protocol === 'http:' && !httpsOnly)) return value;
    return invalid(httpsOnly ? 'not an https URL' : 'not an http or https URL');
  };
}

function wsUrl(): Parser<string> {
  return (value) => {
    if (!URL.canParse(value)) return invalid('not a URL');
    const protocol = new URL(value).protocol;
    return protocol === 'wss:' || protocol === 'ws:' ? value : invalid('not a ws or wss URL');
  };
}

/** `userid:name, userid:name`: the names WeCom does not tell the bot. */
const nameList: Parser<ReadonlyMap<string, string>> = (value) => {
  const names = new Map<string, string>();
  for (const item of value.split(',').map((part) => part.trim())) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const userId = colon > 0 ? item.slice(0, colon).trim() : '';
    const name = colon > 0 ? item.slice(colon + 1).trim() : '';
    if (!/^[\x21-\x7e]{1,128}$/.test(userId) || name === '' || name.length > 32) {
      return invalid(`"${item}" is not userid:name (a name of 1 to 32 characters)`);
    }
    names.set(userId, name);
  }
  return names;
};

const pattern =
  (shape: RegExp, reason: string): Parser<string> =>
  (value) =>
    shape.test(value) ? value : invalid(reason);

/** A callback's URL path; /healthz is the health check's. */
const callbackPath: Parser<string> = (value) => {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(value)) return invalid('not a URL path');
  return value === '/healthz' ? invalid('/healthz is the health check') : value;
};

const DURATION = 'a duration such as 30s, 15m, 24h, 3d, 1h30m or 500ms';
const POSITIVE_DURATION = `${DURATION}, longer than zero`;
const BOOLEAN = 'true/false, 1/0, yes/no or on/off';
const STAFF_IDS =
  'comma-separated platform user ids, each optionally prefixed by its channel (telegram:12345, wechat:wxid_abc, console:staff)';

const general = {
  DATA_DIR: withDefault('./data', text(1000), { accepts: 'a directory path' }),
  DEFAULT_LOCALE: withDefault('zh-CN', oneOf(LOCALES), { accepts: LOCALES.join(' or ') }),
  TZ: withDefault('Asia/Shanghai', timeZone, { accepts: 'an IANA time zone such as Asia/Shanghai or Europe/London' }),
  ESTATE_NAME: withDefault('residesk', text(100), { accepts: 'a name of up to 100 characters' }),
  DUTY_PHONE: optional(phone, { accepts: 'a phone number of 3–20 characters: digits, spaces, + and -' }),
  STARTUP_RETRY: withDefault('2m', duration({ allowZero: true }), { accepts: `${DURATION}; 0 to give up at once` }),
  RETAIN_MESSAGE_LOG: withDefault('90d', atLeastADay, { accepts: `${DURATION}, at least 1d` }),
  RETAIN_DELIVERED_OUTBOX: withDefault('7d', atLeastADay, { accepts: `${DURATION}, at least 1d` }),
};

const logging = {
  LOG_LEVEL: withDefault('info', oneOf(LOG_LEVELS), { accepts: LOG_LEVELS.join(', ') }),
  LOG_FORMAT: withDefault('json', oneOf(LOG_FORMATS), { accepts: LOG_FORMATS.join(' or ') }),
};

const staff = {
  SUPERVISORS: optional(staffList, { accepts: STAFF_IDS }),
  MANAGERS: optional(staffList, { accepts: STAFF_IDS }),
};

const hours = {
  BUSINESS_HOURS: withDefault('08:00-20:00', businessHours, {
    accepts: 'HH:MM-HH:MM with the start before the end (e.g. 08:00-20:00), or 24h for the whole day',
  }),
  QUIET_HOURS: withDefault('21:00-08:00', quietHours, {
    accepts: 'HH:MM-HH:MM, which may wrap past midnight (e.g. 21:00-08:00), or off',
  }),
  SCHEDULER_TICK: withDefault('15s', duration(), { accepts: POSITIVE_DURATION }),
  BROADCAST_RATE: withDefault('20', integer(1, 30), { accepts: 'a whole number from 1 to 30 (messages a second)' }),
  SEND_CONCURRENCY: withDefault('16', integer(1, 256), { accepts: 'a whole number from 1 to 256' }),
  SEND_TIMEOUT: withDefault('45s', duration(), { accepts: POSITIVE_DURATION }),
  OUTBOX_LEASE: withDefault('4s', duration(), { accepts: POSITIVE_DURATION }),
};

const revisits = {
  REVISIT_AFTER: withDefault('24h', duration(), { accepts: POSITIVE_DURATION }),
  REVISIT_REMIND_AFTER: withDefault('24h', duration(), { accepts: POSITIVE_DURATION }),
  REVISIT_REOPEN_AT: withDefault('6', integer(1, 10), { accepts: 'a whole number from 1 to 10' }),
  REVISIT_AFTER_BY_CATEGORY: optional(categoryDurations, {
    accepts: `comma-separated category=duration pairs such as leaks_fabric=3d,heating=48h; categories: ${CATEGORIES.join(', ')}`,
  }),
};

const sla = {
  SLA_EMERGENCY_ACCEPT: withDefault('5m', duration(), { accepts: POSITIVE_DURATION }),
  SLA_EMERGENCY_RESOLVE: withDefault('2h', duration(), { accepts: POSITIVE_DURATION }),
  SLA_URGENT_ACCEPT: withDefault('15m', duration(), { accepts: POSITIVE_DURATION }),
  SLA_URGENT_RESOLVE: withDefault('24h', duration(), { accepts: POSITIVE_DURATION }),
  SLA_NORMAL_ACCEPT: withDefault('2h', duration(), { accepts: POSITIVE_DURATION }),
  SLA_NORMAL_RESOLVE: withDefault('3d', duration(), { accepts: `${POSITIVE_DURATION}, counted in business time` }),
  SLA_COMPLAINT_ACCEPT: withDefault('1h', duration(), { accepts: POSITIVE_DURATION }),
  SLA_COMPLAINT_PROGRESS: withDefault('4h', duration(), { accepts: POSITIVE_DURATION }),
  SLA_COMPLAINT_RESOLVE: withDefault('24h', duration(), { accepts: POSITIVE_DURATION }),
  SLA_ENQUIRY_ANSWER: withDefault('30m', duration(), { accepts: `${POSITIVE_DURATION}, counted in business time` }),
};

const telegram = {
  TELEGRAM_BOT_TOKEN: optional(pattern(/^\d+:[A-Za-z0-9_-]+$/, 'not shaped like a bot token'), {
    accepts: 'the token from @BotFather: digits, a colon, then letters, digits, _ and -',
    secret: true,
  }),
  TELEGRAM_STAFF_CHAT_ID: optional(integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), {
    accepts: 'the staff group chat id, a whole number such as -1001234567890',
  }),
  TELEGRAM_API_ROOT: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  TELEGRAM_WEBHOOK_URL: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  TELEGRAM_WEBHOOK_SECRET: optional(pattern(/^[A-Za-z0-9_-]{1,256}$/, 'not a valid webhook secret'), {
    accepts: '1–256 characters from A-Z, a-z, 0-9, _ and -',
    secret: true,
  }),
  PORT: withDefault('8080', integer(1, 65535), { accepts: 'a port number from 1 to 65535' }),
  TELEGRAM_RATE_GLOBAL: withDefault('30', integer(1, 1000), { accepts: 'messages per second, 1 to 1000' }),
  TELEGRAM_RATE_PRIVATE: withDefault('1', integer(1, 100), { accepts: 'messages per second to one chat, 1 to 100' }),
  TELEGRAM_RATE_GROUP: withDefault('20', integer(1, 1000), {
    accepts: 'messages per minute to one group, 1 to 1000',
  }),
};

const wechat = {
  WECHATY_PUPPET: optional(text(), { accepts: 'a Wechaty puppet name such as wechaty-puppet-wechat4u' }),
  WECHAT_STAFF_ROOM: optional(text(), { accepts: 'the topic or id of the staff group room' }),
  WECHAT_ACCEPT_FRIENDS: withDefault('false', boolean, { accepts: BOOLEAN }),
  WECHAT_SEND_INTERVAL: withDefault('1500ms', duration({ allowZero: true }), { accepts: DURATION }),
};

const wecom = {
  WECOM_BOT_ID: optional(pattern(/^[\x21-\x7e]{1,128}$/, 'not shaped like a BotID'), {
    accepts: "the smart bot's BotID from the WeCom admin console (API mode, long connection)",
  }),
  WECOM_BOT_SECRET: optional(pattern(/^[\x21-\x7e]{1,256}$/, 'not shaped like a long-connection Secret'), {
    accepts: "the smart bot's long-connection Secret",
    secret: true,
  }),
  WECOM_STAFF_CHAT_ID: optional(pattern(/^[\x21-\x7e]{1,128}$/, 'not shaped like a WeCom chatid'), {
    accepts: "the staff group's chatid (logged when someone in a group @mentions the bot)",
  }),
  WECOM_WS_URL: optional(wsUrl(), { accepts: 'a ws or wss URL' }),
  WECOM_STAFF_NAMES: optional(nameList, {
    accepts: 'userid:name pairs separated by commas, e.g. wangwei:王师傅,lina:李娜 (WeCom gives the bot only userids)',
  }),
};

const wechatMp = {
  WECHAT_MP_APP_ID: optional(pattern(/^wx[0-9a-f]{16}$/, 'not shaped like an AppID'), {
    accepts: "the Service Account's AppID: wx and 16 hex digits",
  }),
  WECHAT_MP_APP_SECRET: optional(pattern(/^[0-9a-f]{32}$/i, 'not shaped like an AppSecret'), {
    accepts: 'the AppSecret: 32 hex digits',
    secret: true,
  }),
  WECHAT_MP_TOKEN: optional(pattern(/^[A-Za-z0-9]{3,32}$/, 'not 3–32 letters and digits'), {
    accepts: 'the Token set with the server URL: 3–32 letters and digits',
    secret: true,
  }),
  WECHAT_MP_AES_KEY: optional(pattern(/^[A-Za-z0-9]{43}$/, 'not 43 letters and digits'), {
    accepts: 'the EncodingAESKey: 43 letters and digits',
    secret: true,
  }),
  WECHAT_MP_API_ROOT: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  WECHAT_MP_PATH: withDefault('/wechat-mp', callbackPath, {
    accepts: 'a URL path such as /wechat-mp (letters, digits, - _ . /), not /healthz',
  }),
  WECHAT_MP_PORT: withDefault('8081', integer(1, 65535), { accepts: 'a port number from 1 to 65535' }),
  WECHAT_MP_MENU: withDefault('flows/wechat-mp/menu.yaml', text(1000), {
    accepts: "a menu file's path, or off to leave the account's menu as it is",
  }),
};

const mongo = {
  MONGODB_URI: optional(pattern(/^mongodb(\+srv)?:\/\/\S+$/, 'not a MongoDB connection string'), {
    accepts: 'a mongodb:// or mongodb+srv:// connection string',
    secret: true,
  }),
  MONGODB_SERVER_SELECTION_TIMEOUT: withDefault('5s', duration(), { accepts: POSITIVE_DURATION }),
};

const ai = {
  OPENAI_API_KEY: optional(pattern(/^\S+$/, 'contains whitespace'), {
    accepts: 'an API key without spaces',
    secret: true,
  }),
  OPENAI_BASE_URL: optional(httpUrl(), { accepts: 'an http or https URL', secret: true }),
  OPENAI_MODEL: withDefault('gpt-4o-mini', text(), { accepts: 'a model name' }),
  AI_TIMEOUT: withDefault('8s', duration(), { accepts: POSITIVE_DURATION }),
  AI_CALLS_PER_MINUTE: withDefault('30', integer(1, 10_000), { accepts: 'a whole number from 1 to 10000' }),
  AI_SEND_PERSONAL_DATA: withDefault('false', boolean, { accepts: BOOLEAN }),
};

const shape = {
  ...general,
  ...logging,
  ...staff,
  ...hours,
  ...revisits,
  ...sla,
  ...telegram,
  ...wechat,
  ...wecom,
  ...wechatMp,
  ...mongo,
  ...ai,
};
const envSchema = z.object(shape);
type Variable = keyof typeof shape;
type Values = z.output<typeof envSchema>;

const VARIABLE_NAMES = Object.keys(shape) as Variable[];

/** Variables that must be set when another one is. */
const REQUIRED_WITH: readonly { variable: Variable; when: Variable }[] = [
  { variable: 'TELEGRAM_STAFF_CHAT_ID', when: 'TELEGRAM_BOT_TOKEN' },
  { variable: 'WECHAT_STAFF_ROOM', when: 'WECHATY_PUPPET' },
  { variable: 'WECOM_BOT_SECRET', when: 'WECOM_BOT_ID' },
  { variable: 'WECOM_STAFF_CHAT_ID', when: 'WECOM_BOT_ID' },
  { variable: 'WECHAT_MP_APP_SECRET', when: 'WECHAT_MP_APP_ID' },
  { variable: 'WECHAT_MP_TOKEN', when: 'WECHAT_MP_APP_ID' },
];

/** One configuration variable as documented by the schema. */
export interface ConfigVariable {
  readonly name: string;
  readonly accepts: string;
  /** The value used when unset, written as in `.env`; absent when unset means "off" or "none". */
  readonly fallback?: string;
  readonly secret: boolean;
}

/** Every variable {@link loadConfig} reads, in schema order (the order `.env.example` follows). */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze(
  VARIABLE_NAMES.map((name) => {
    const doc = docOf(name);
    return Object.freeze({
      name,
      accepts: doc.accepts,
      secret: doc.secret === true,
      ...(doc.fallback !== undefined && { fallback: doc.fallback }),
    });
  }),
);

function docOf(name: string): VariableDoc {
  const schema = (shape as Record<string, z.ZodType>)[name];
  return (schema && variableDocs.get(schema)) ?? { accepts: 'see .env.example', secret: true };
}

/**
 * What is valid but probably a mistake in production, one line each, for start-up to log as warnings.
 * The console (no platform) is for trying residesk and gets none.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.telegram && !config.wechat && !config.wechatMp) return warnings;
  if (!config.dutyPhone) {
    warnings.push(
      "DUTY_PHONE is not set: owners reporting an emergency get 119 / 120 / 110 but not the service centre's 24-hour number",
    );
  }
  return warnings;
}

/**
 * Validates the environment and builds the configuration. Empty or blank variables count as unset.
 * Throws a {@link ConfigError} listing every problem found; the result is deeply frozen.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const set: Partial<Record<Variable, string>> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name]?.trim();
    if (value) set[name] = value;
  }

  const found: { variable: string; reason: string }[] = [];
  const result = envSchema.safeParse(set);
  if (!result.success) {
    for (const issue of result.error.issues) {
      found.push({ variable: String(issue.path[0] ?? '(environment)'), reason: issue.message });
    }
  }
  for (const { variable, when } of REQUIRED_WITH) {
    if (set[when] !== undefined && set[variable] === undefined) {
      found.push({ variable, reason: `required when ${when} is set` });
    }
  }

  if (!result.success || found.length > 0) {
    const order = (variable: string) => VARIABLE_NAMES.indexOf(variable as Variable);
    found.sort((a, b) => order(a.variable) - order(b.variable));
    throw new ConfigError(
      found.map(({ variable, reason }) => problemLine(variable, reason, set[variable as Variable])),
    );
  }
  return deepFreeze(toConfig(result.data));
}

function problemLine(variable: string, reason: string, value: string | undefined): string {
  const doc = docOf(variable);
  const shown = value === undefined || doc.secret ? '' : ` (got ${JSON.stringify(clip(value))})`;
  return `${variable}: ${reason}${shown}; accepted: ${doc.accepts}`;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

function toConfig(v: Values): Config {
  return {
    dataDir: v.DATA_DIR,
    defaultLocale: v.DEFAULT_LOCALE,
    timeZone: v.TZ,
    estateName: v.ESTATE_NAME,
    dutyPhone: v.DUTY_PHONE ?? '',
    startupRetryMs: v.STARTUP_RETRY,
    retention: { messageLogMs: v.RETAIN_MESSAGE_LOG, deliveredOutboxMs: v.RETAIN_DELIVERED_OUTBOX },
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    supervisors: v.SUPERVISORS ?? [],
    managers: v.MANAGERS ?? [],
    businessHours: v.BUSINESS_HOURS,
    quietHours: v.QUIET_HOURS,
    schedulerTickMs: v.SCHEDULER_TICK,
    broadcastPerSecond: v.BROADCAST_RATE,
    delivery: { concurrency: v.SEND_CONCURRENCY, sendTimeoutMs: v.SEND_TIMEOUT, leaseMs: v.OUTBOX_LEASE },
    revisitAfterMs: v.REVISIT_AFTER,
    revisitRemindAfterMs: v.REVISIT_REMIND_AFTER,
    revisitReopenAt: v.REVISIT_REOPEN_AT,
    revisitAfterByCategory: v.REVISIT_AFTER_BY_CATEGORY ?? {},
    sla: {
      emergency: { acceptMs: v.SLA_EMERGENCY_ACCEPT, resolveMs: v.SLA_EMERGENCY_RESOLVE },
      urgent: { acceptMs: v.SLA_URGENT_ACCEPT, resolveMs: v.SLA_URGENT_RESOLVE },
      normal: { acceptMs: v.SLA_NORMAL_ACCEPT, resolveMs: v.SLA_NORMAL_RESOLVE },
      complaint: {
        acceptMs: v.SLA_COMPLAINT_ACCEPT,
        progressMs: v.SLA_COMPLAINT_PROGRESS,
        resolveMs: v.SLA_COMPLAINT_RESOLVE,
      },
    },
    enquiryAnswerMs: v.SLA_ENQUIRY_ANSWER,
    telegram:
      v.TELEGRAM_BOT_TOKEN !== undefined && v.TELEGRAM_STAFF_CHAT_ID !== undefined
        ? {
            token: v.TELEGRAM_BOT_TOKEN,
            staffChatId: v.TELEGRAM_STAFF_CHAT_ID,
            ...definedOnly({
              apiRoot: v.TELEGRAM_API_ROOT,
              webhookUrl: v.TELEGRAM_WEBHOOK_URL,
              webhookSecret: v.TELEGRAM_WEBHOOK_SECRET,
            }),
            port: v.PORT,
            rates: {
              globalPerSecond: v.TELEGRAM_RATE_GLOBAL,
              privatePerSecond: v.TELEGRAM_RATE_PRIVATE,
              groupPerMinute: v.TELEGRAM_RATE_GROUP,
            },
          }
        : null,
    wechat:
      v.WECHATY_PUPPET !== undefined && v.WECHAT_STAFF_ROOM !== undefined
        ? {
            puppet: v.WECHATY_PUPPET,
            staffRoom: v.WECHAT_STAFF_ROOM,
            acceptFriends: v.WECHAT_ACCEPT_FRIENDS,
            sendIntervalMs: v.WECHAT_SEND_INTERVAL,
          }
        : null,
    wecom:
      v.WECOM_BOT_ID !== undefined && v.WECOM_BOT_SECRET !== undefined && v.WECOM_STAFF_CHAT_ID !== undefined
        ? {
            botId: v.WECOM_BOT_ID,
            secret: v.WECOM_BOT_SECRET,
            staffChatId: v.WECOM_STAFF_CHAT_ID,
            ...definedOnly({ wsUrl: v.WECOM_WS_URL }),
            staffNames: v.WECOM_STAFF_NAMES ?? new Map(),
          }
        : null,
    wechatMp:
      v.WECHAT_MP_APP_ID !== undefined && v.WECHAT_MP_APP_SECRET !== undefined && v.WECHAT_MP_TOKEN !== undefined
        ? {
            appId: v.WECHAT_MP_APP_ID,
            appSecret: v.WECHAT_MP_APP_SECRET,
            token: v.WECHAT_MP_TOKEN,
            ...definedOnly({ aesKey: v.WECHAT_MP_AES_KEY, apiRoot: v.WECHAT_MP_API_ROOT }),
            path: v.WECHAT_MP_PATH,
            port: v.WECHAT_MP_PORT,
            menuFile: v.WECHAT_MP_MENU.toLowerCase() === 'off' ? null : v.WECHAT_MP_MENU,
          }
        : null,
    mongo:
      v.MONGODB_URI !== undefined
        ? { uri: v.MONGODB_URI, serverSelectionTimeoutMs: v.MONGODB_SERVER_SELECTION_TIMEOUT }
        : null,
    ai:
      v.OPENAI_API_KEY !== undefined
        ? {
            apiKey: v.OPENAI_API_KEY,
            ...definedOnly({ baseUrl: v.OPENAI_BASE_URL }),
            model: v.OPENAI_MODEL,
            timeoutMs: v.AI_TIMEOUT,
            callsPerMinute: v.AI_CALLS_PER_MINUTE,
            sendPersonalData: v.AI_SEND_PERSONAL_DATA,
          }
        : null,
  };
}

function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Loads a dotenv file into `process.env` if it exists, leaving variables that are already set (even
 * to an empty string) as they are. Returns whether a file was loaded.
 */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
