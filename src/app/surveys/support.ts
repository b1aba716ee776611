/**
 * What every survey module shares: the options and their defaults, the refusal values campaign actions
 * return, and small text helpers for messages to staff.
 */
import type { SurveyInvitation } from '../../core/ports.js';
import type { Questionnaire } from '../../core/surveys/questionnaire.js';
import type { Channel } from '../../core/types.js';

export interface SurveyOptions {
  /** The questionnaires of `flows/surveys/`, by id. */
  questionnaires: ReadonlyMap<string, Questionnaire>;
  /** Invitations (and reminders) per channel per batch: each platform's own pace. */
  batchSize?: Partial<Record<Channel, number>>;
  /** Time between two batches. */
  batchIntervalMs?: number;
  /** Reminders go out this long after the start (round 1) and twice as long (round 2). */
  remindAfterMs?: number;
  /** An owner contacted less than this long ago is not reminded in a round. */
  remindGapMs?: number;
  /** A campaign without an end date runs this long. */
  defaultDurationMs?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Defaults: Telegram allows about 30 messages a second per bot, so 25 invitations a minute stays far below
 * it even with the questions that follow; a personal WeChat account is throttled (and risks a ban) when it
 * writes to many people, so 8 a minute.
 */
export const SURVEY_DEFAULTS = {
  batchSize: { telegram: 25, wechat: 8, console: 50 } as Record<Channel, number>,
  batchIntervalMs: 60_000,
  remindAfterMs: 3 * DAY,
  remindGapMs: DAY,
  defaultDurationMs: 14 * DAY,
};

/** Reminders per owner and campaign, at most. */
export const MAX_REMINDERS = 2;

/** Why a campaign action was refused (expected outcomes, not exceptions). */
export type SurveyRefusal =
  | 'unknown_questionnaire'
  | 'unknown_campaign'
  | 'bad_state'
  | 'not_previewed'
  | 'bad_period'
  | 'bad_date'
  | 'bad_buildings';

export type SurveyResult<T> = { ok: true; value: T } | { ok: false; reason: SurveyRefusal; detail?: string };

/** Invitations the owner has neither answered nor declined. */
export const OPEN_INVITATION: readonly SurveyInvitation['status'][] = ['invited', 'reminded1', 'reminded2'];

/** Splits text into messages no longer than `max` characters, at line breaks. */
export function chunk(lines: string[], max = 3500): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > max && current) {
      out.push(current);
      current = line;
    } else current = next;
  }
  if (current) out.push(current);
  return out;
}

/** `text` on one line, cut to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}
