/**
 * Tickets ↔ their documents: location, timeline (actors and events) and the ticket itself. The
 * timeline's `detail` and `data` are the system's code kept as data, read back as they were written.
 * The revisit answers are mapped with the surveys (./surveys.ts).
 */

import { StoreError } from '../../../../core/ports.js';
import type { Actor, Ticket, TimelineEvent } from '../../../../core/tickets/ticket.js';
import type { EstateLocation } from '../../../../core/types.js';
import { asJson, copyDates, need, optionalDate, put, reviveDate, reviveDates, type Stored } from './revive.js';
import { revisitFromDoc, revisitToDoc, type TicketRevisit } from './surveys.js';

export interface TimelineEventDoc extends Omit<TimelineEvent, 'at'> {
  at: Date;
}

export interface TicketDoc extends Omit<Ticket, 'timeline'> {
  timeline: TimelineEventDoc[];
}

/** The instants a ticket records as it moves on, kept together in both directions. */
const TICKET_DATES = ['firstResponseAt', 'resolvedAt', 'closedAt'] as const;

function locationToDoc(location: EstateLocation): EstateLocation {
  if (location.kind === 'public') return { kind: 'public', description: location.description };
  const doc: EstateLocation = { kind: 'unit', building: location.building, room: location.room };
  put(doc, 'unit', location.unit);
  return doc;
}

function locationFromDoc(
  doc: Stored<{ kind: string; building: string; unit: string; room: string; description: string }>,
): EstateLocation {
  if (doc.kind === 'public')
    return { kind: 'public', description: need(doc.description, 'ticket.location.description') };
  if (doc.kind !== 'unit') throw new StoreError('STORE_CORRUPT', 'invalid ticket.location.kind');
  const location: EstateLocation = {
    kind: 'unit',
    building: need(doc.building, 'ticket.location.building'),
    room: need(doc.room, 'ticket.location.room'),
  };
  put(location, 'unit', doc.unit);
  return location;
}

function actorToDoc(actor: Actor): Actor {
  if (actor.type === 'owner') return { type: 'owner', id: actor.id };
  if (actor.type === 'staff') return { type: 'staff', id: actor.id, name: actor.name };
  return { type: 'system' };
}

function actorFromDoc(doc: Stored<{ type: string; id: string; name: string }>): Actor {
  if (doc.type === 'owner') return { type: 'owner', id: need(doc.id, 'ticket.timeline.actor.id') };
  if (doc.type === 'staff') {
    return {
      type: 'staff',
      id: need(doc.id, 'ticket.timeline.actor.id'),
      name: need(doc.name, 'ticket.timeline.actor.name'),
    };
  }
  if (doc.type === 'system') return { type: 'system' };
  throw new StoreError('STORE_CORRUPT', 'invalid ticket.timeline.actor.type');
}

function eventToDoc(event: TimelineEvent): TimelineEventDoc {
  const doc: TimelineEventDoc = {
    at: new Date(event.at.getTime()),
    actor: actorToDoc(event.actor),
    action: event.action,
  };
  put(doc, 'from', event.from);
  put(doc, 'to', event.to);
  put(doc, 'note', event.note);
  // The system's code, kept as data (read back as it was; the timeline checks its shape when it renders it).
  if (event.detail !== undefined) doc.detail = asJson(event.detail);
  if (event.data !== undefined) doc.data = asJson(event.data);
  return doc;
}

function eventFromDoc(doc: Stored<TimelineEventDoc>): TimelineEvent {
  const event: TimelineEvent = {
    at: reviveDate(doc.at, 'ticket.timeline.at'),
    actor: actorFromDoc(need(doc.actor, 'ticket.timeline.actor') as Stored<{ type: string; id: string; name: string }>),
    action: need(doc.action, 'ticket.timeline.action'),
  };
  put(event, 'from', doc.from);
  put(event, 'to', doc.to);
  put(event, 'note', doc.note);
  if (doc.detail !== undefined && doc.detail !== null) event.detail = asJson(doc.detail);
  if (doc.data !== undefined && doc.data !== null) event.data = asJson(doc.data);
  return event;
}

export function ticketToDoc(ticket: Ticket): TicketDoc {
  const doc: TicketDoc = {
    id: ticket.id,
    number: ticket.number,
    kind: ticket.kind,
    category: ticket.category,
    urgency: ticket.urgency,
    description: ticket.description,
    attachments: ticket.attachments.map((a) => {
      const attachment: Ticket['attachments'][number] = { ref: a.ref, channel: a.channel };
      put(attachment, 'caption', a.caption);
      return attachment;
    }),
    status: ticket.status,
    responsibility: ticket.responsibility,
    ownerId: ticket.ownerId,
    origin: { channel: ticket.origin.channel, chatId: ticket.origin.chatId },
    reopenCount: ticket.reopenCount,
    createdAt: new Date(ticket.createdAt.getTime()),
    updatedAt: new Date(ticket.updatedAt.getTime()),
    timeline: ticket.timeline.map(eventToDoc),
  };
  if (ticket.location) doc.location = locationToDoc(ticket.location);
  put(doc, 'subject', ticket.subject);
  put(doc, 'demand', ticket.demand);
  if (ticket.contact) doc.contact = { name: ticket.contact.name, phone: ticket.contact.phone };
  if (ticket.assignee) doc.assignee = { id: ticket.assignee.id, name: ticket.assignee.name };
  put(doc, 'plan', ticket.plan);
  if (ticket.scheduledFor) doc.scheduledFor = new Date(ticket.scheduledFor.getTime());
  put(doc, 'resolution', ticket.resolution);
  put(doc, 'rejection', ticket.rejection);
  copyDates(ticket, doc, TICKET_DATES);
  put(doc, 'summary', ticket.summary);
  put(doc, 'paidWork', ticket.paidWork);
  if (ticket.revisit) doc.revisit = revisitToDoc(ticket.revisit);
  put(doc, 'revisitOutcome', ticket.revisitOutcome);
  put(doc, 'source', ticket.source);
  return doc;
}

export function ticketFromDoc(doc: Stored<TicketDoc>): Ticket {
  const origin = need(doc.origin, 'ticket.origin');
  const ticket: Ticket = {
    id: need(doc.id, 'ticket.id'),
    number: need(doc.number, 'ticket.number'),
    kind: need(doc.kind, 'ticket.kind'),
    category: need(doc.category, 'ticket.category'),
    urgency: need(doc.urgency, 'ticket.urgency'),
    description: need(doc.description, 'ticket.description'),
    attachments: need(doc.attachments, 'ticket.attachments').map((a) => {
      const attachment: Ticket['attachments'][number] = { ref: a.ref, channel: a.channel };
      put(attachment, 'caption', a.caption);
      return attachment;
    }),
    status: need(doc.status, 'ticket.status'),
    responsibility: need(doc.responsibility, 'ticket.responsibility'),
    ownerId: need(doc.ownerId, 'ticket.ownerId'),
    origin: { channel: origin.channel, chatId: origin.chatId },
    reopenCount: need(doc.reopenCount, 'ticket.reopenCount'),
    createdAt: reviveDate(doc.createdAt, 'ticket.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'ticket.updatedAt'),
    timeline: need(doc.timeline, 'ticket.timeline').map((event) => eventFromDoc(event as Stored<TimelineEventDoc>)),
  };
  if (doc.location) {
    ticket.location = locationFromDoc(
      doc.location as Stored<{ kind: string; building: string; unit: string; room: string; description: string }>,
    );
  }
  put(ticket, 'subject', doc.subject);
  put(ticket, 'demand', doc.demand);
  if (doc.contact) ticket.contact = { name: doc.contact.name, phone: doc.contact.phone };
  if (doc.assignee) ticket.assignee = { id: doc.assignee.id, name: doc.assignee.name };
  put(ticket, 'plan', doc.plan);
  put(ticket, 'scheduledFor', optionalDate(doc.scheduledFor, 'ticket.scheduledFor'));
  put(ticket, 'resolution', doc.resolution);
  put(ticket, 'rejection', doc.rejection);
  reviveDates(doc, ticket, TICKET_DATES, 'ticket');
  put(ticket, 'summary', doc.summary);
  put(ticket, 'paidWork', doc.paidWork);
  if (doc.revisit) ticket.revisit = revisitFromDoc(doc.revisit as Stored<TicketRevisit>);
  put(ticket, 'revisitOutcome', doc.revisitOutcome);
  put(ticket, 'source', doc.source);
  return ticket;
}
