/**
 * The variables every installation reads: where data lives, language and time zone, the estate, start-up
 * and retention, logging, the staff named in configuration, and the optional MongoDB store and AI model.
 */
import { IANAZone } from 'luxon';
import { parseDuration } from '../core/duration.js';
import { CHANNELS, type Channel, LOCALES } from '../core/types.js';
import { LOG_FORMATS, LOG_LEVELS } from '../logger.js';
import {
  BOOLEAN,
  boolean,
  DURATION,
  duration,
  httpUrl,
  integer,
  invalid,
  oneOf,
  optional,
  type Parser,
  POSITIVE_DURATION,
  pattern,
  text,
  withDefault,
} from './parse.js';
import type { StaffRef } from './types.js';

/** Retention ages: what reads the message log looks up to a day back (is the owner awake?). */
const atLeastADay: Parser<number> = (value) => {
  const ms = parseDuration(value);
  if (ms === undefined) return invalid('not a duration');
  if (ms < 86_400_000) return invalid('must be at least 1d');
  return ms;
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

const STAFF_IDS =
  'comma-separated platform user ids, each optionally prefixed by its channel (telegram:12345, wechat:wxid_abc, console:staff)';

export const general = {
  DATA_DIR: withDefault('./data', text(1000), { accepts: 'a directory path' }),
  DEFAULT_LOCALE: withDefault('zh-CN', oneOf(LOCALES), { accepts: LOCALES.join(' or ') }),
  TZ: withDefault('Asia/Shanghai', timeZone, { accepts: 'an IANA time zone such as Asia/Shanghai or Europe/London' }),
  ESTATE_NAME: withDefault('residesk', text(100), { accepts: 'a name of up to 100 characters' }),
  DUTY_PHONE: optional(phone, { accepts: 'a phone number of 3–20 characters: digits, spaces, + and -' }),
  STARTUP_RETRY: withDefault('2m', duration({ allowZero: true }), { accepts: `${DURATION}; 0 to give up at once` }),
  RETAIN_MESSAGE_LOG: withDefault('90d', atLeastADay, { accepts: `${DURATION}, at least 1d` }),
  RETAIN_DELIVERED_OUTBOX: withDefault('7d', atLeastADay, { accepts: `${DURATION}, at least 1d` }),
  RETAIN_AUDIT_LOG: withDefault('1096d', atLeastADay, { accepts: `${DURATION}, at least 1d` }),
};

export const logging = {
  LOG_LEVEL: withDefault('info', oneOf(LOG_LEVELS), { accepts: LOG_LEVELS.join(', ') }),
  LOG_FORMAT: withDefault('json', oneOf(LOG_FORMATS), { accepts: LOG_FORMATS.join(' or ') }),
};

export const staff = {
  SUPERVISORS: optional(staffList, { accepts: STAFF_IDS }),
  MANAGERS: optional(staffList, { accepts: STAFF_IDS }),
};

export const mongo = {
  MONGODB_URI: optional(pattern(/^mongodb(\+srv)?:\/\/\S+$/, 'not a MongoDB connection string'), {
    accepts: 'a mongodb:// or mongodb+srv:// connection string',
    secret: true,
  }),
  MONGODB_SERVER_SELECTION_TIMEOUT: withDefault('5s', duration(), { accepts: POSITIVE_DURATION }),
};

export const ai = {
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
