/**
 * What every survey module shares: the options and their defaults, the refusal values campaign actions
 * return, small text helpers for messages to staff, and `SurveySupport` (context, settings, formatting).
 */
import type { FlowContext } from '../../core/flow/engine.js';
import type { SurveyCampaign, SurveyInvitation, SurveyTarget } from '../../core/ports.js';
import { type Question, type Questionnaire, surveyKeys } from '../../core/surveys/questionnaire.js';
import { nextAllowed } from '../../core/time.js';
import type { Button, Channel, Locale } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { formatTime } from '../render.js';
import { type SurveyButtonAction, surveyButtonData } from './buttons.js';

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
 * Defaults: Telegram allows about 30 messages a second per bot, so 20 invitations a second (300 each 15 s
 * batch, the scheduler's tick) stays near it with a third kept for conversations: 100,000 owners in about
 * 83 minutes. A personal WeChat account is throttled (and risks a ban) when it writes to many people, so
 * 2 each batch, 8 a minute. `BROADCAST_RATE` sets Telegram's pace ({@link surveyPace}).
 */
export const SURVEY_DEFAULTS = {
  batchSize: { telegram: 300, wechat: 2, console: 300 } as Record<Channel, number>,
  batchIntervalMs: 15_000,
  remindAfterMs: 3 * DAY,
  remindGapMs: DAY,
  defaultDurationMs: 14 * DAY,
};

/**
 * The batches that send `perSecond` invitations a second on Telegram (and the console), one batch each
 * `intervalMs` (the scheduler's tick, so every batch runs when due); WeChat keeps its own slow pace.
 */
export function surveyPace(
  perSecond: number,
  intervalMs: number,
): Pick<SurveyOptions, 'batchSize' | 'batchIntervalMs'> {
  const perBatch = Math.max(1, Math.round((perSecond * intervalMs) / 1000));
  const wechat = Math.max(1, Math.round((8 * intervalMs) / 60_000));
  return { batchSize: { telegram: perBatch, console: perBatch, wechat }, batchIntervalMs: intervalMs };
}

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

/**
 * The settings and small services every survey module uses: the application context, the questionnaires,
 * the resolved options, and how staff messages show times, targets, periods, answers and buttons.
 */
export class SurveySupport {
  readonly questionnaires: ReadonlyMap<string, Questionnaire>;
  readonly batchSize: Record<Channel, number>;
  readonly batchIntervalMs: number;
  readonly remindAfterMs: number;
  readonly remindGapMs: number;
  readonly defaultDurationMs: number;

  constructor(
    readonly ctx: AppContext,
    opts: SurveyOptions,
  ) {
    this.questionnaires = opts.questionnaires;
    this.batchSize = { ...SURVEY_DEFAULTS.batchSize, ...opts.batchSize };
    this.batchIntervalMs = opts.batchIntervalMs ?? SURVEY_DEFAULTS.batchIntervalMs;
    this.remindAfterMs = opts.remindAfterMs ?? SURVEY_DEFAULTS.remindAfterMs;
    this.remindGapMs = opts.remindGapMs ?? SURVEY_DEFAULTS.remindGapMs;
    this.defaultDurationMs = opts.defaultDurationMs ?? SURVEY_DEFAULTS.defaultDurationMs;
  }

  now(): Date {
    return this.ctx.clock.now();
  }

  /** A text in the staff's language. */
  staffT(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  /** The questionnaire a campaign runs (undefined when it is no longer in flows/surveys). */
  questionnaireFor(c: SurveyCampaign): Questionnaire | undefined {
    return this.questionnaires.get(c.questionnaireId);
  }

  /** An instant as staff (or, given their locale, an owner) read it, in the business zone; `—` when unset. */
  time(at: Date | undefined, locale: Locale = this.ctx.staffLocale): string {
    return at ? formatTime(at, locale, this.ctx.settings.timeZone) : '—';
  }

  /** The first instant at or after `at` outside quiet hours. */
  allowed(at: Date): Date {
    return nextAllowed(at, this.ctx.policy.quietHours, this.ctx.settings.timeZone);
  }

  /** What a campaign's questionnaire knows when it runs in an owner's chat. */
  flowContext(c: SurveyCampaign, locale: Locale): FlowContext {
    return { campaign: c.id, deadline: this.time(c.endAt, locale) };
  }

  /** One row of survey buttons for a supervisor (Telegram shows them; WeChat staff type the commands). */
  buttons(id: string, actions: readonly SurveyButtonAction[]): Button[][] {
    return [actions.map((a) => ({ label: this.staffT(`survey.button.${a}`), data: surveyButtonData(a, id) }))];
  }

  /** How an answer value reads: a scale label, an option's text, or the number. */
  valueLabel(q: Question | undefined, value: unknown, locale: Locale): string {
    if (!q) return String(value);
    if (q.kind === 'rating' && q.scale === 'satisfaction' && typeof value === 'number')
      return this.ctx.t(locale, `survey.scale.${value}`);
    if (q.kind === 'single' || q.kind === 'multi') {
      const list = Array.isArray(value) ? value : [value];
      return list.map((v) => this.ctx.t(locale, surveyKeys(q.id).option(q.id, String(v)))).join('、');
    }
    return String(value);
  }

  targetText(target: SurveyTarget): string {
    return target.kind === 'all'
      ? this.staffT('survey.target.all')
      : this.staffT('survey.target.buildings', { buildings: target.buildings.join('、') });
  }

  periodText(start: Date | undefined, end: Date | undefined): string {
    if (!start && !end) return this.staffT('survey.period_unset');
    return this.staffT('survey.period', {
      start: start ? this.time(start) : this.staffT('survey.period_unset'),
      end: end ? this.time(end) : this.staffT('survey.period_unset'),
    });
  }
}
