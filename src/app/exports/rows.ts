/**
 * One archive row per ticket (step 8 of domain.md: summarise, archive, review): every step's time, what
 * it was, who answered for it, how it ended and what the owner said at the revisit, as text in the staff's
 * language, times in the business time zone. Masked rows (the default) show the owner's name as its first
 * character, the phone as 138****5678, the flat as its building only, and free text through the same mask
 * the model's input goes through (names, phone numbers, flats); unmasked rows show them as they are.
 */
import { DateTime } from 'luxon';
import { formatUnit } from '../../core/location.js';
import { maskPhone, type Ticket, type TicketAction, type TimelineEvent } from '../../core/tickets/ticket.js';
import type { Owner, Translate } from '../../core/types.js';
import { mask } from '../../core/understand/mask.js';

/** The columns, in order; each is headed by `archive.column.<key>`. */
export const ARCHIVE_COLUMNS = [
  'number',
  'status',
  'kind',
  'category',
  'urgency',
  'responsibility',
  'building',
  'room',
  'owner',
  'phone',
  'channel',
  'assignee',
  'filed_at',
  'first_response_at',
  'accepted_at',
  'judged_at',
  'planned_at',
  'scheduled_for',
  'resolved_at',
  'closed_at',
  'reopened_at',
  'reopen_count',
  'escalated',
  'result',
  'revisit_at',
  'revisit_by',
  'revisit_solved',
  'revisit_attitude',
  'revisit_charged',
  'revisit_score',
  'revisit_outcome',
  'revisit_comment',
  'summary',
] as const;
export type ArchiveColumn = (typeof ARCHIVE_COLUMNS)[number];

/** How rows are written: the staff's texts, the business time zone, and whether personal data is masked. */
export interface RowStyle {
  t: Translate;
  timeZone: string;
  masked: boolean;
}

/** The header row. */
export function archiveHeader(style: Pick<RowStyle, 't'>): string[] {
  return ARCHIVE_COLUMNS.map((c) => style.t(`archive.column.${c}`));
}

/** A name as its first character and a star per other character (张三丰 → 张**). */
export function maskName(name: string | undefined): string {
  if (!name) return '';
  const chars = [...name.trim()];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** One ticket's row, in the order of ARCHIVE_COLUMNS; `owner` fills in what the ticket's contact lacks. */
export function archiveRow(ticket: Ticket, owner: Owner | undefined, style: RowStyle): string[] {
  const { t, masked } = style;
  const time = (d: Date | undefined) =>
    d ? DateTime.fromJSDate(d, { zone: style.timeZone }).toFormat('yyyy-MM-dd HH:mm') : '';
  const first = (action: TicketAction | TimelineEvent['action']) => ticket.timeline.find((e) => e.action === action);
  const last = (...actions: TimelineEvent['action'][]) =>
    [...ticket.timeline].reverse().find((e) => actions.includes(e.action));
  const yesNo = (b: boolean | undefined) => (b === undefined ? '' : t(b ? 'archive.yes' : 'archive.no'));
  const words = (text: string | undefined) => (text ? (masked ? mask(text) : text) : '');

  const location = ticket.location;
  const building = location?.kind === 'unit' ? location.building : '';
  const room = location ? (masked && location.kind === 'unit' ? '***' : words(formatUnit(location))) : '';
  const name = ticket.contact?.name ?? owner?.name;
  const phone = ticket.contact?.phone ?? owner?.phone;
  const revisit = ticket.revisit;
  const revisitOutcome = revisit?.outcome ?? (ticket.revisitOutcome === 'no_response' ? 'no_response' : undefined);

  const cells: Record<ArchiveColumn, string> = {
    number: ticket.number,
    status: t(`ticket.status.${ticket.status}`),
    kind: t(`ticket.kind.${ticket.kind}`),
    category: t(`ticket.category.${ticket.category}`),
    urgency: t(`ticket.urgency.${ticket.urgency}`),
    responsibility: t(`ticket.responsibility.${ticket.responsibility}`),
    building,
    room,
    owner: masked ? maskName(name) : (name ?? ''),
    phone: phone ? (masked ? maskPhone(phone) : phone) : '',
    channel: t(`channel.${ticket.origin.channel}`),
    assignee: ticket.assignee?.name ?? '',
    filed_at: time(ticket.createdAt),
    first_response_at: time(ticket.firstResponseAt),
    accepted_at: time(first('accept')?.at),
    judged_at: time(first('judge')?.at),
    planned_at: time(first('propose_plan')?.at),
    scheduled_for: time(ticket.scheduledFor),
    resolved_at: time(ticket.resolvedAt),
    closed_at: time(ticket.closedAt),
    reopened_at: time(last('reopen', 'request_review')?.at),
    reopen_count: String(ticket.reopenCount),
    escalated: yesNo(ticket.timeline.some((e) => e.action === 'escalation')),
    result: words(ticket.resolution ?? ticket.rejection),
    revisit_at: time(revisit?.at),
    revisit_by: revisit ? t(`archive.by.${revisit.by}`) : '',
    revisit_solved: yesNo(revisit?.solved),
    revisit_attitude: revisit ? t(`archive.attitude.${revisit.attitude}`) : '',
    revisit_charged: yesNo(revisit?.charged),
    revisit_score: revisit ? String(revisit.score) : '',
    revisit_outcome: revisitOutcome ? t(`archive.revisit_outcome.${revisitOutcome}`) : '',
    revisit_comment: words(revisit?.comment),
    summary: words(ticket.summary ?? [...ticket.description].slice(0, 200).join('')),
  };
  return ARCHIVE_COLUMNS.map((c) => cells[c]);
}
