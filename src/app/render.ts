/**
 * Texts the application writes around tickets: the staff card, the owner's ticket list, business dates.
 * Channel-neutral: every channel renders the same OutboundMessage its own way.
 */
import { DateTime } from 'luxon';
import { type DeskButtonAction, encodeStaffButton, type JudgeChoice } from '../core/protocol/buttons.js';
import { type Actor, isOpen, maskPhone, type Ticket, type TicketStatus } from '../core/tickets/ticket.js';
import { timelineNoteText } from '../core/tickets/timeline.js';
import { formatLocalTime } from '../core/time.js';
import {
  type Button,
  CATEGORIES,
  type EstateLocation,
  type Locale,
  labelColon,
  type OutboundMessage,
  RESPONSIBILITIES,
  URGENCIES,
} from '../core/types.js';
import type { TranslateFn } from '../i18n.js';

/** YYMMDD of an instant in the business time zone: the day part of ticket numbers. */
export function businessDayKey(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyMMdd');
}

/**
 * An instant in a fixed, sortable form (2026-11-28 14:05 in the business time zone): for exports and for
 * comparing what an owner was shown before the friendly dates. People read {@link formatTime}.
 */
export function formatBusinessTime(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
}

/** An instant as a person reads it, in their language: 12月8日（周二）上午10:00 / Tue 8 Dec, 10:00. */
export function formatTime(at: Date, locale: Locale, timeZone: string): string {
  return formatLocalTime(at, locale, timeZone);
}

export function describeLocation(
  t: (key: string, p?: Record<string, string | number>) => string,
  loc: EstateLocation | undefined,
): string {
  if (!loc) return t('common.none');
  if (loc.kind === 'public') return t('location.public_shown', { description: loc.description });
  return loc.unit
    ? t('location.unit_shown', { building: loc.building, unit: loc.unit, room: loc.room })
    : t('location.room_shown', { building: loc.building, room: loc.room });
}

/** How much of a plan, a resolution or a reason for declining the card shows. */
const STAFF_TEXT_ON_CARD = 300;

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}

/** What an owner can say is happening in an emergency (flows/emergency.yaml, step `what`), and security. */
export const EMERGENCY_WHAT: readonly string[] = ['fire', 'gas', 'trapped', 'water', 'injury', 'other', 'security'];

/** What is happening at an emergency, as the owner (or the rules) last said: from the ticket's timeline. */
export function emergencyWhatOf(ticket: Ticket): string | undefined {
  for (let i = ticket.timeline.length - 1; i >= 0; i -= 1) {
    const what = ticket.timeline[i]?.data?.emergencyWhat;
    if (typeof what === 'string' && EMERGENCY_WHAT.includes(what)) return what;
  }
  return undefined;
}

function emergencyWhatLabel(t: (key: string) => string, ticket: Ticket): string | undefined {
  const what = emergencyWhatOf(ticket);
  return what ? t(`emergency.option.what.${what}`) : undefined;
}

/**
 * A ticket's timeline as staff read it (`/ticket`): one line per event, every word from the locales; the
 * system's entries are codes (core/tickets/timeline.ts), old entries' sentences read back the same way.
 */
export function timelineText(
  ticket: Ticket,
  t: (key: string, p?: Record<string, string | number>) => string,
  timeZone: string,
  locale: Locale = 'zh-CN',
): string {
  const who = (a: Actor) =>
    a.type === 'staff' ? a.name : t(a.type === 'owner' ? 'desk.actor.owner' : 'desk.actor.system');
  const when = (at: Date) => formatTime(at, locale, timeZone);
  const lines = ticket.timeline.map((e) => {
    const what = t(`desk.event.${e.action}`);
    const move = e.to && e.from !== e.to ? ` → ${t(`ticket.status.${e.to}`)}` : '';
    const note = timelineNoteText(e, t, when, locale);
    return `${when(e.at)} ${who(e.actor)}${labelColon(locale)}${what}${move}${note ? `「${note}」` : ''}`;
  });
  return [t('desk.timeline_title', { number: ticket.number }), ...lines].join('\n');
}

export type StaffAction = DeskButtonAction;

export interface RenderContext {
  translate: TranslateFn;
  timeZone: string;
  /** An assistant drafts replies: only then does the card offer 🤖 (a button that always answers "unavailable" is dead). */
  drafts?: boolean;
}

/**
 * The ticket's card for the staff group: everything staff need to act, and only the personal data their
 * task needs (the phone masked, the flat shown because staff must go there).
 */
export function renderCard(ticket: Ticket, locale: Locale, ctx: RenderContext, mode?: CardMode): OutboundMessage {
  const t = (key: string, p?: Record<string, string | number>) => ctx.translate(locale, key, p);
  // The title says what the card is now: an open emergency, a report nobody has taken yet, or a ticket.
  const titleKey =
    ticket.urgency === 'emergency' && isOpen(ticket.status)
      ? 'card.title_emergency'
      : ticket.status === 'recorded'
        ? 'card.title_new'
        : 'card.title';
  const title = t(titleKey, { number: ticket.number });
  const line = (label: string, value: string | undefined) =>
    value ? `${t(`card.${label}`)}${labelColon(locale)}${value}` : undefined;
  const when = (at: Date) => formatTime(at, locale, ctx.timeZone);
  const lines = [
    title,
    line('status', t(`ticket.status.${ticket.status}`)),
    line('kind', t(`ticket.kind.${ticket.kind}`)),
    line('category', t(`ticket.category.${ticket.category}`)),
    line('urgency', t(`ticket.urgency.${ticket.urgency}`)),
    line('responsibility', t(`ticket.responsibility.${ticket.responsibility}`)),
    line('location', describeLocation(t, ticket.location)),
    line('summary', ticket.summary),
    line('description', ticket.summary ? clip(ticket.description, 300) : ticket.description),
    line('subject', ticket.subject),
    line('demand', ticket.demand),
    line('emergency_what', emergencyWhatLabel(t, ticket)),
    line('contact', ticket.contact ? `${ticket.contact.name} ${maskPhone(ticket.contact.phone)}`.trim() : undefined),
    line('photos', ticket.attachments.length > 0 ? String(ticket.attachments.length) : undefined),
    // What staff typed has no length limit: clipped here (in full on the timeline), so the card keeps its
    // last lines (the accountable person) within a platform's message size.
    line('plan', ticket.plan && clip(ticket.plan, STAFF_TEXT_ON_CARD)),
    line('scheduled', ticket.scheduledFor ? when(ticket.scheduledFor) : undefined),
    line('resolution', ticket.resolution && clip(ticket.resolution, STAFF_TEXT_ON_CARD)),
    line('rejection', ticket.rejection && clip(ticket.rejection, STAFF_TEXT_ON_CARD)),
    line(
      'revisit',
      ticket.revisit
        ? `${ticket.revisit.score}/10 · ${t(`revisit.option.attitude.${ticket.revisit.attitude}`)} · ${t('revisit.field.solved')}${labelColon(locale)}${t(ticket.revisit.solved ? 'common.yes' : 'common.no')}`
        : ticket.revisitOutcome === 'no_response'
          ? '—'
          : undefined,
    ),
    line('reopens', ticket.reopenCount > 0 ? String(ticket.reopenCount) : undefined),
    line('assignee', ticket.assignee?.name ?? t('card.unassigned')),
    line('created', when(ticket.createdAt)),
    // Where a ticket staff entered for the owner came from (代客登记), in words: 电话, 前台 …
    ticket.source && ticket.source !== 'chat'
      ? `${t('ticket_source.label')}${labelColon(locale)}${t(`ticket_source.${ticket.source}`)}`
      : undefined,
  ].filter((l): l is string => Boolean(l));
  const message: OutboundMessage = { text: lines.join('\n'), ref: `card:${ticket.number}` };
  const photos = ticket.attachments.map((a) => a.ref);
  if (photos.length > 0) message.photos = photos;
  const buttons = cardButtons(ticket, t, mode, { drafts: ctx.drafts ?? false });
  if (buttons.length > 0) message.buttons = buttons;
  return message;
}

/**
 * Staff actions offered on a card, by status: each one works for the person the card is meant for in that
 * status (test/app/card-buttons.test.ts presses every one). A new card is for anyone in the room, so it
 * offers only ✋ accept: declining, the phone number and the rest come with acceptance (a supervisor may
 * still type `/reject T… reason` on a new ticket). Their data goes through the staff button codec.
 */
export const CARD_ACTIONS: Partial<Record<TicketStatus, readonly StaffAction[]>> = {
  recorded: ['accept'],
  reopened: ['accept', 'reply', 'draft', 'resolve', 'handover', 'phone', 'timeline'],
  accepted: ['reply', 'draft', 'judge', 'plan', 'schedule', 'resolve', 'handover', 'reject', 'phone', 'timeline'],
  in_progress: ['reply', 'draft', 'judge', 'plan', 'schedule', 'resolve', 'handover', 'phone', 'timeline'],
  // Judging and planning follow the site visit: offered while a plan waits and while a visit is booked.
  awaiting_agreement: ['reply', 'judge', 'plan', 'schedule', 'resolve', 'handover', 'phone', 'timeline'],
  // 📅 again: the owner asked for another time.
  scheduled: ['reply', 'judge', 'plan', 'schedule', 'resolve', 'handover', 'phone', 'timeline'],
  resolved: ['timeline'],
  closed: ['timeline'],
  rejected: ['timeline'],
};

/** The card's keyboard: its actions, or (while a staff member judges the ticket) the judging choices. */
export type CardMode = 'judge' | 'category';

export function cardButtons(
  ticket: Ticket,
  t: (key: string) => string,
  mode?: CardMode,
  opts: { drafts: boolean } = { drafts: true },
): Button[][] {
  const n = ticket.number;
  const mark = (on: boolean, label: string) => (on ? `✓ ${label}` : label);
  const judge = (choice: JudgeChoice) => encodeStaffButton({ type: 'judge', number: n, choice });
  const done = encodeStaffButton({ type: 'judge_menu', number: n, menu: 'done' });
  if (mode === 'judge') {
    return [
      URGENCIES.map((u) => ({
        label: mark(ticket.urgency === u, t(`ticket.urgency.${u}`)),
        data: judge({ field: 'urgency', value: u }),
      })),
      RESPONSIBILITIES.filter((r) => r !== 'unknown')
        .slice(0, 3)
        .map((r) => ({
          label: mark(ticket.responsibility === r, t(`ticket.responsibility.${r}`)),
          data: judge({ field: 'responsibility', value: r }),
        })),
      RESPONSIBILITIES.filter((r) => r !== 'unknown')
        .slice(3)
        .map((r) => ({
          label: mark(ticket.responsibility === r, t(`ticket.responsibility.${r}`)),
          data: judge({ field: 'responsibility', value: r }),
        })),
      [
        {
          label: t('desk.button.category'),
          data: encodeStaffButton({ type: 'judge_menu', number: n, menu: 'category' }),
        },
        { label: t('desk.button.done'), data: done },
      ],
    ];
  }
  if (mode === 'category') {
    const cats = CATEGORIES.map((c) => ({
      label: mark(ticket.category === c, t(`ticket.category.${c}`)),
      data: judge({ field: 'category', value: c }),
    }));
    const rows: Button[][] = [];
    for (let i = 0; i < cats.length; i += 3) rows.push(cats.slice(i, i + 3));
    rows.push([{ label: t('desk.button.done'), data: done }]);
    return rows;
  }
  const actions = (CARD_ACTIONS[ticket.status] ?? []).filter((a) => a !== 'draft' || opts.drafts);
  const buttons = actions.map((a) => ({
    label: t(`desk.button.${a}`),
    data: encodeStaffButton({ type: 'action', action: a, number: n }),
  }));
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
  return rows;
}
