/**
 * The variables of time and follow-up: business and quiet hours, the scheduler and the dispatcher,
 * revisit surveys, and the SLA deadlines.
 */
import type { DailyWindow } from '../core/time.js';
import { CATEGORIES } from '../core/types.js';
import {
  BOOLEAN,
  boolean,
  duration,
  Invalid,
  integer,
  invalid,
  optional,
  type Parser,
  POSITIVE_DURATION,
  withDefault,
} from './parse.js';

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

export const hours = {
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
  REVIEW_AUTOSEND: withDefault('on', boolean, { accepts: BOOLEAN }),
};

export const revisits = {
  REVISIT_AFTER: withDefault('24h', duration(), { accepts: POSITIVE_DURATION }),
  REVISIT_REMIND_AFTER: withDefault('24h', duration(), { accepts: POSITIVE_DURATION }),
  REVISIT_REOPEN_AT: withDefault('6', integer(1, 10), { accepts: 'a whole number from 1 to 10' }),
  REVISIT_AFTER_BY_CATEGORY: optional(categoryDurations, {
    accepts: `comma-separated category=duration pairs such as leaks_fabric=3d,heating=48h; categories: ${CATEGORIES.join(', ')}`,
  }),
};

export const sla = {
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
