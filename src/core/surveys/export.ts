/**
 * A campaign's answers as CSV (`npm run survey -- export <campaign>`): one row per response with the
 * campaign, the response id, the building, when it was submitted (in the business time zone) and one
 * column per question. Never an owner's id, name or phone: written answers are masked too.
 */
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import type { Locale } from '../types.js';
import { mask } from '../understand/mask.js';
import { FOLLOW_UP, type Question, type Questionnaire } from './questionnaire.js';

export interface ExportResponse {
  id: string;
  campaignId: string;
  building?: string;
  submittedAt: Date;
  answers: Readonly<Record<string, unknown>>;
}

export interface ExportOptions {
  /** The zone "submitted at" is written in, e.g. Asia/Shanghai. */
  timeZone: string;
  /** The language of option texts and yes/no. */
  locale: Locale;
  /** A byte-order mark first, so that spreadsheet programs read the UTF-8 (default true). */
  bom?: boolean;
}

const YES_NO: Record<Locale, [string, string]> = { 'zh-CN': ['是', '否'], en: ['yes', 'no'] };

/** Cells from owners that a spreadsheet would run as a formula are prefixed with an apostrophe. */
function safeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function cell(q: Question, value: unknown, locale: Locale): string | number {
  if (value === undefined || value === null) return '';
  switch (q.kind) {
    case 'single':
      return q.options.find((o) => o.id === value)?.text[locale] ?? String(value);
    case 'multi':
      return Array.isArray(value)
        ? value.map((v) => q.options.find((o) => o.id === v)?.text[locale] ?? String(v)).join('; ')
        : String(value);
    case 'rating':
    case 'nps':
      return typeof value === 'number' ? value : String(value);
    case 'text':
      // Whatever personal data an owner typed (a phone, a name, the flat) stays out of the file.
      return safeText(mask(String(value)));
  }
}

/** The header and one row per response, as cells. */
export function exportRows(
  questionnaire: Questionnaire,
  responses: readonly ExportResponse[],
  opts: ExportOptions,
): (string | number)[][] {
  const hasFollowUp = responses.some((r) => r.answers[FOLLOW_UP] !== undefined);
  const header = ['campaign', 'response', 'building', 'submitted_at', ...questionnaire.questions.map((q) => q.id)];
  if (hasFollowUp) header.push(FOLLOW_UP);
  const [yes, no] = YES_NO[opts.locale];
  const rows = responses.map((r) => {
    const row: (string | number)[] = [
      r.campaignId,
      r.id,
      r.building ?? '',
      DateTime.fromJSDate(r.submittedAt, { zone: opts.timeZone }).toFormat('yyyy-MM-dd HH:mm'),
      ...questionnaire.questions.map((q) => cell(q, r.answers[q.id], opts.locale)),
    ];
    if (hasFollowUp) {
      const f = r.answers[FOLLOW_UP];
      row.push(f === true ? yes : f === false ? no : '');
    }
    return row;
  });
  return [header, ...rows];
}

/** The CSV text (RFC 4180 quoting, CRLF line ends, UTF-8 with a BOM unless `bom: false`). */
export function exportCsv(
  questionnaire: Questionnaire,
  responses: readonly ExportResponse[],
  opts: ExportOptions,
): string {
  return stringify(exportRows(questionnaire, responses, opts), { bom: opts.bom ?? true, record_delimiter: 'windows' });
}
