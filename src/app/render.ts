/**
 * Texts the application writes around tickets: the staff card, the owner's ticket list, business dates.
 * Channel-neutral: every channel renders the same OutboundMessage its own way.
 */
import { DateTime } from 'luxon';
import { maskPhone, type Ticket } from '../core/tickets/ticket.js';
import type { EstateLocation, Locale, OutboundMessage } from '../core/types.js';
import type { TranslateFn } from '../i18n.js';

/** YYMMDD of an instant in the business time zone: the day part of ticket numbers. */
export function businessDayKey(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyMMdd');
}

/** An instant as people in the estate read it: 2026-11-28 14:05 in the business time zone. */
export function formatBusinessTime(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm');
}

export function describeLocation(t: (key: string, p?: Record<string, string | number>) => string, loc: EstateLocation | undefined): string {
  if (!loc) return t('common.none');
  if (loc.kind === 'public') return t('location.public_shown', { description: loc.description });
  return loc.unit
    ? t('location.unit_shown', { building: loc.building, unit: loc.unit, room: loc.room })
    : t('location.room_shown', { building: loc.building, room: loc.room });
}

export interface RenderContext {
  translate: TranslateFn;
  timeZone: string;
}

/**
 * The ticket's card for the staff group: everything staff need to act, and only the personal data their
 * task needs (the phone masked, the flat shown because staff must go there).
 */
export function renderCard(ticket: Ticket, locale: Locale, ctx: RenderContext): OutboundMessage {
  const t = (key: string, p?: Record<string, string | number>) => ctx.translate(locale, key, p);
  const title = t(ticket.urgency === 'emergency' ? 'card.title_emergency' : 'card.title_new', { number: ticket.number });
  const line = (label: string, value: string | undefined) => (value ? `${t(`card.${label}`)}：${value}` : undefined);
  const lines = [
    title,
    line('status', t(`ticket.status.${ticket.status}`)),
    line('kind', t(`ticket.kind.${ticket.kind}`)),
    line('category', t(`ticket.category.${ticket.category}`)),
    line('urgency', t(`ticket.urgency.${ticket.urgency}`)),
    line('responsibility', t(`ticket.responsibility.${ticket.responsibility}`)),
    line('location', describeLocation(t, ticket.location)),
    line('description', ticket.description),
    line('subject', ticket.subject),
    line('demand', ticket.demand),
    line('contact', ticket.contact ? `${ticket.contact.name} ${maskPhone(ticket.contact.phone)}` : undefined),
    line('photos', ticket.attachments.length > 0 ? String(ticket.attachments.length) : undefined),
    line('assignee', ticket.assignee?.name ?? t('card.unassigned')),
    line('created', formatBusinessTime(ticket.createdAt, ctx.timeZone)),
    line('channel', ticket.origin.channel),
  ].filter((l): l is string => Boolean(l));
  const message: OutboundMessage = { text: lines.join('\n'), ref: `card:${ticket.number}` };
  const photos = ticket.attachments.map((a) => a.ref);
  if (photos.length > 0) message.photos = photos;
  return message;
}

/** The owner's own list of tickets, newest first. */
export function renderTicketList(tickets: Ticket[], locale: Locale, ctx: RenderContext): string {
  const t = (key: string, p?: Record<string, string | number>) => ctx.translate(locale, key, p);
  if (tickets.length === 0) return t('mytickets.none');
  const lines = tickets.map((ticket) =>
    t('mytickets.line', {
      number: ticket.number,
      kind: t(`ticket.kind.${ticket.kind}`),
      category: t(`ticket.category.${ticket.category}`),
      status: t(`ticket.status.${ticket.status}`),
    }),
  );
  return [t('mytickets.header', { count: tickets.length }), ...lines].join('\n');
}
