/**
 * What the system records on a ticket's timeline, as codes with parameters (never sentences): stored on
 * the event as `detail`, turned into words only through the locales, in the reader's language. Free text
 * people typed (a staff note, an owner's message, a plan) stays in the event's `note`.
 *
 * Entries written before the codes existed carry English sentences in `note`; `legacyDetail` reads the
 * ones the system wrote back into codes, so they render as before (and in either language).
 */

import { type Locale, labelColon, type Translate } from '../types.js';
import type { SlaPhase } from './sla.js';
import type { TimelineEvent } from './ticket.js';

/** The deadline phases of the SLA (acceptance, progress report to the owner, resolution). */
const SLA_PHASES: readonly SlaPhase[] = ['accept', 'progress', 'resolve'];

/** The revisit answers as they are recorded. */
export const REVISIT_ATTITUDES = ['satisfied', 'so_so', 'unsatisfied'] as const;

/** Everything the system itself records on a timeline. */
export type TimelineDetail =
  /** A deadline reminder or escalation at `percent` of the phase's allowance. */
  | { code: 'sla.checkpoint'; phase: SlaPhase; percent: number }
  /** An emergency nobody accepted, alerted again (round 1, 2 …). */
  | { code: 'emergency.repeat'; round: number }
  /** What is happening at an emergency (the `what` options of flows/emergency.yaml). */
  | { code: 'emergency.what'; what: string }
  /** The owner was sent the revisit questions, or reminded of them. */
  | { code: 'revisit.contact'; step: 'asked' | 'reminded' }
  /** The revisit's answers (by chat or recorded from a phone call). */
  | {
      code: 'revisit.answers';
      solved: boolean;
      attitude: (typeof REVISIT_ATTITUDES)[number];
      charged: boolean;
      score: number;
      comment?: string;
    }
  | { code: 'revisit.overdue' }
  | { code: 'revisit.put_off' }
  | { code: 'revisit.no_response' }
  | { code: 'revisit.phone' }
  /** An owner's answer to a question overtaken meanwhile (the plan revised, the time changed): kept, nothing changed. */
  | {
      code: 'answer.late';
      asked: 'plan' | 'appointment';
      /** The plan or the time the owner was shown. */
      question: string;
      answer: 'agree' | 'disagree' | 'ok' | 'other';
      comment?: string;
    }
  | { code: 'appointment.confirmed' }
  | { code: 'appointment.change'; comment: string }
  | { code: 'explanation.accepted' };

const FIXED: Record<string, TimelineDetail> = {
  'appointment confirmed': { code: 'appointment.confirmed' },
  'owner accepted the explanation': { code: 'explanation.accepted' },
  'revisit follow-up overdue': { code: 'revisit.overdue' },
  'owner put the revisit off after the last contact': { code: 'revisit.put_off' },
  'no response to the revisit': { code: 'revisit.no_response' },
  'phone revisit requested': { code: 'revisit.phone' },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100_000;
const oneOf = <T extends string>(values: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (values as readonly string[]).includes(v);

/**
 * A stored detail read back: the detail when its shape is one of the codes, else undefined (a store
 * written by a newer version, or damaged), so the entry falls back to its note and never misreads.
 */
export function parseTimelineDetail(value: unknown): TimelineDetail | undefined {
  if (!isObject(value) || !isString(value.code)) return undefined;
  const v = value;
  const comment = v.comment === undefined || isString(v.comment);
  switch (v.code) {
    case 'sla.checkpoint':
      return oneOf(SLA_PHASES, v.phase) && isCount(v.percent)
        ? { code: v.code, phase: v.phase, percent: v.percent }
        : undefined;
    case 'emergency.repeat':
      return isCount(v.round) ? { code: v.code, round: v.round } : undefined;
    case 'emergency.what':
      return isString(v.what) ? { code: v.code, what: v.what } : undefined;
    case 'revisit.contact':
      return v.step === 'asked' || v.step === 'reminded' ? { code: v.code, step: v.step } : undefined;
    case 'revisit.answers':
      return typeof v.solved === 'boolean' &&
        oneOf(REVISIT_ATTITUDES, v.attitude) &&
        typeof v.charged === 'boolean' &&
        isCount(v.score) &&
        comment
        ? {
            code: v.code,
            solved: v.solved,
            attitude: v.attitude,
            charged: v.charged,
            score: v.score,
            ...(isString(v.comment) ? { comment: v.comment } : {}),
          }
        : undefined;
    case 'answer.late':
      return (v.asked === 'plan' || v.asked === 'appointment') &&
        isString(v.question) &&
        oneOf(['agree', 'disagree', 'ok', 'other'] as const, v.answer) &&
        comment
        ? {
            code: v.code,
            asked: v.asked,
            question: v.question,
            answer: v.answer,
            ...(isString(v.comment) ? { comment: v.comment } : {}),
          }
        : undefined;
    case 'appointment.change':
      return isString(v.comment) ? { code: v.code, comment: v.comment } : undefined;
    case 'revisit.overdue':
    case 'revisit.put_off':
    case 'revisit.no_response':
    case 'revisit.phone':
    case 'appointment.confirmed':
    case 'explanation.accepted':
      return { code: v.code };
    default:
      return undefined;
  }
}

/**
 * An entry written before the codes (an English sentence the system put in `note`) as its code, when it
 * is one of those sentences; undefined for anything else (what people typed stays their words).
 */
export function legacyDetail(event: { action: string; note?: string }): TimelineDetail | undefined {
  const note = event.note;
  if (!note) return undefined;
  const sla = note.match(/^(accept|progress|resolve) (\d+)%$/);
  if (sla && (event.action === 'reminder' || event.action === 'escalation')) {
    return { code: 'sla.checkpoint', phase: sla[1] as SlaPhase, percent: Number(sla[2]) };
  }
  const round = note.match(/^emergency not accepted, round (\d+)$/);
  if (round) return { code: 'emergency.repeat', round: Number(round[1]) };
  const other = note.match(/^another time: ([\s\S]*)$/);
  if (other && event.action === 'note') return { code: 'appointment.change', comment: other[1] ?? '' };
  if (event.action === 'revisit' && (note === 'asked' || note === 'reminded')) {
    return { code: 'revisit.contact', step: note };
  }
  const what = note.match(/^emergency: ([a-z]+)$/);
  if (what && event.action === 'note') return { code: 'emergency.what', what: what[1] ?? '' };
  return FIXED[note];
}

/** A detail in the reader's language (the keys exist in both locales; a test checks every code). */
export function timelineDetailText(detail: TimelineDetail, t: Translate): string {
  const yesNo = (b: boolean) => t(b ? 'common.yes' : 'common.no');
  switch (detail.code) {
    case 'sla.checkpoint':
      return t('desk.note.sla_checkpoint', { phase: t(`desk.phase.${detail.phase}`), percent: detail.percent });
    case 'emergency.repeat':
      return t('desk.note.emergency_round', { round: detail.round });
    case 'emergency.what':
      return t('desk.note.emergency_what', { what: t(`emergency.option.what.${detail.what}`) });
    case 'revisit.contact':
      return t(`desk.note.revisit_${detail.step}`);
    case 'revisit.answers':
      return t('desk.revisit.answers', {
        solved: yesNo(detail.solved),
        attitude: t(`revisit.option.attitude.${detail.attitude}`),
        charged: yesNo(detail.charged),
        score: detail.score,
        comment: detail.comment ? t('desk.note.revisit_comment', { comment: detail.comment }) : '',
      });
    case 'revisit.overdue':
      return t('desk.note.revisit_overdue');
    case 'revisit.put_off':
      return t('desk.note.revisit_put_off');
    case 'revisit.no_response':
      return t('desk.note.revisit_no_response');
    case 'revisit.phone':
      return t('desk.note.revisit_phone');
    case 'answer.late': {
      const answer = t(`${detail.asked}.option.${detail.answer}`);
      return detail.comment
        ? t('desk.note.answer_late_comment', { question: detail.question, answer, comment: detail.comment })
        : t('desk.note.answer_late', { question: detail.question, answer });
    }
    case 'appointment.confirmed':
      return t('desk.note.appointment_ok');
    case 'appointment.change':
      return t('desk.note.appointment_change', { comment: detail.comment });
    case 'explanation.accepted':
      return t('desk.note.explanation_ok');
  }
}

/** Why resolving needed a confirmation: responsibility still unknown, or the agreed visit time not yet come. */
export const RESOLVE_CONCERNS = ['responsibility', 'before_visit'] as const;
export type ResolveConcern = (typeof RESOLVE_CONCERNS)[number];

/** The concerns a resolution was confirmed over, as its timeline event's data records them. */
export function resolveConcerns(data: Record<string, unknown> | undefined): ResolveConcern[] {
  const raw = data?.confirmedOver;
  return Array.isArray(raw) ? raw.filter((c): c is ResolveConcern => oneOf(RESOLVE_CONCERNS, c)) : [];
}

/** One example of every code, for the tests that check each renders in both languages and round-trips. */
export const TIMELINE_DETAIL_EXAMPLES: readonly TimelineDetail[] = [
  { code: 'sla.checkpoint', phase: 'accept', percent: 80 },
  { code: 'emergency.repeat', round: 2 },
  { code: 'emergency.what', what: 'fire' },
  { code: 'revisit.contact', step: 'asked' },
  { code: 'revisit.contact', step: 'reminded' },
  { code: 'revisit.answers', solved: true, attitude: 'so_so', charged: false, score: 8, comment: '还行' },
  { code: 'revisit.answers', solved: false, attitude: 'unsatisfied', charged: true, score: 2 },
  { code: 'revisit.overdue' },
  { code: 'revisit.put_off' },
  { code: 'revisit.no_response' },
  { code: 'revisit.phone' },
  { code: 'answer.late', asked: 'plan', question: '更换水管', answer: 'agree' },
  { code: 'answer.late', asked: 'appointment', question: '2026-11-29 14:00', answer: 'other', comment: '周末' },
  { code: 'appointment.confirmed' },
  { code: 'appointment.change', comment: '下午' },
  { code: 'explanation.accepted' },
];

/**
 * What an event says beyond its action and status, in the reader's language: the system's code, the
 * judged fields, an old entry's sentence read back as its code, or the words someone typed.
 */
export function timelineNoteText(
  event: TimelineEvent,
  t: Translate,
  when: ((at: Date) => string) | undefined,
  locale: Locale,
): string | undefined {
  const detail = parseTimelineDetail(event.detail) ?? legacyDetail(event);
  if (detail) return timelineDetailText(detail, t);
  const at = typeof event.data?.at === 'string' ? new Date(event.data.at) : undefined;
  if (event.action === 'schedule' && when && at && !Number.isNaN(at.getTime())) {
    // The agreed time itself, not only the words typed with it.
    const time = when(at);
    return event.note ? t('worksteps.timeline.visit_note', { time, note: event.note }) : time;
  }
  const concerns = resolveConcerns(event.data);
  if (event.action === 'resolve' && concerns.length > 0) {
    return t('worksteps.timeline.resolved_anyway', {
      concerns: concerns.map((c) => t(`worksteps.concern.${c}`)).join(t('worksteps.list_separator')),
      note: event.note ?? '',
    });
  }
  if (event.action === 'judge' && event.data) {
    const data = event.data;
    const set = (['urgency', 'responsibility', 'category'] as const)
      .filter((k) => typeof data[k] === 'string')
      .map((k) => `${t(`card.${k}`)}${labelColon(locale)}${t(`ticket.${k}.${String(data[k])}`)}`);
    if (set.length > 0) return set.join(locale === 'zh-CN' ? '；' : '; ');
  }
  return event.note || undefined;
}
