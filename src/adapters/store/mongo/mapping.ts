/**
 * Documents ↔ domain objects, one explicit pair of functions per type. Pure and free of mongoose.
 *
 * Documents keep instants as BSON dates and the shapes the port treats as opaque JSON (conversation
 * state, message bodies, job payloads, outbound actions, timeline data) as they would read back from
 * JSON — `undefined` dropped, dates as ISO strings — exactly as the SQLite store returns them. Reading
 * copies only the fields the domain type has, so `_id`, `__v` and the store's own fields (sequence
 * numbers, identity keys) never cross the port; a field stored as `null` reads as absent.
 */

import type { ConversationState } from '../../../core/flow/state.js';
import type { KnowledgeEntry } from '../../../core/knowledge/entry.js';
import {
  type Enquiry,
  type Job,
  type MessageLogEntry,
  type Notice,
  type NoticeDelivery,
  type OutboxItem,
  StoreError,
  type SurveyCampaign,
  type SurveyInvitation,
  type SurveyResponse,
  type Thread,
} from '../../../core/ports.js';
import type { Actor, Ticket, TimelineEvent } from '../../../core/tickets/ticket.js';
import type { Channel, EstateLocation, OutboundAction, Owner, Staff } from '../../../core/types.js';

// ---------------------------------------------------------------------------------------------------
// Document shapes, as written. Reads accept the same shapes with `_id` and friends alongside.

export interface InboundDoc {
  channel: Channel;
  messageId: string;
  at: Date;
}

export interface OwnerDoc {
  id: string;
  identities: { channel: Channel; userId: string; chatId: string }[];
  /** `channel:userId` of every identity, deduplicated: what the unique index and the lookup use. Absent when empty. */
  identityKeys?: string[];
  name?: string;
  phone?: string;
  units: string[];
  qrBuilding?: { estate: string; building: string };
  locale: Owner['locale'];
  privacyNoticeShown: boolean;
  unreachable: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type StaffDoc = Staff;

export interface ThreadDoc {
  channel: Channel;
  chatId: string;
  ownerId: string;
  state: ConversationState;
  updatedAt: Date;
}

export interface MessageDoc {
  channel: Channel;
  chatId: string;
  /** Order within the chat (from a per-chat counter). */
  seq: number;
  direction: 'in' | 'out';
  at: Date;
  messageId?: string;
  body: unknown;
}

export interface CounterDoc {
  name: string;
  value: number;
}

export interface TimelineEventDoc extends Omit<TimelineEvent, 'at'> {
  at: Date;
}

export interface TicketDoc extends Omit<Ticket, 'timeline'> {
  timeline: TimelineEventDoc[];
}

export interface JobDoc {
  id: string;
  type: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  status: Job['status'];
  attempts: number;
  key?: string;
  /** The key while the job is pending or running, absent otherwise: unique (see INDEXES.jobs). */
  unfinishedKey?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface OutboxDoc {
  id: string;
  seq: number;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  status: OutboxItem['status'];
  attempts: number;
  notBefore: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  platformMessageId?: string;
  /** Set (true) on cosmetic items only (see NewOutboxItem.cosmetic). */
  cosmetic?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface MessageRefDoc {
  channel: Channel;
  chatId: string;
  ref: string;
  platformMessageId: string;
}

export interface SettingDoc {
  key: string;
  value: string;
}

/** Praise: the port's object as it is (instants as dates). */
export interface PraiseDoc {
  id: string;
  ownerId: string;
  channel: Channel;
  text: string;
  team: string;
  staff?: { id: string; name: string };
  place?: string;
  at: Date;
}

/** What a read hands back: the document (maybe with `_id` and fields written by hand, which are ignored). */
export type Stored<T> = { [K in keyof T]?: T[K] | null };

// ---------------------------------------------------------------------------------------------------
// Helpers

/** A value as it reads back from JSON (what the SQLite store returns for the same value). */
export function asJson<T>(value: T): T {
  const text = JSON.stringify(value);
  return (text === undefined ? null : JSON.parse(text)) as T;
}

function reviveDate(value: unknown, field: string): Date {
  const date =
    value instanceof Date
      ? new Date(value.getTime())
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value)
        : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new StoreError('STORE_CORRUPT', `invalid instant in ${field}`);
  }
  return date;
}

function optionalDate(value: unknown, field: string): Date | undefined {
  return value === undefined || value === null ? undefined : reviveDate(value, field);
}

function need<T>(value: T | null | undefined, field: string): T {
  if (value === undefined || value === null) throw new StoreError('STORE_CORRUPT', `missing ${field}`);
  return value;
}

/** Copies `value` onto `target[key]` unless it is absent (`undefined` or `null`). */
function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined): void {
  if (value !== undefined && value !== null) target[key] = value;
}

/** The key an identity is found and kept unique by. Channels never contain `:`. */
export function identityKey(channel: Channel, userId: string): string {
  return `${channel}:${userId}`;
}

// ---------------------------------------------------------------------------------------------------
// Owners

export function ownerToDoc(owner: Owner): OwnerDoc {
  const identities = owner.identities.map(({ channel, userId, chatId }) => ({ channel, userId, chatId }));
  const keys = [...new Set(identities.map((i) => identityKey(i.channel, i.userId)))];
  const doc: OwnerDoc = {
    id: owner.id,
    identities,
    units: [...owner.units],
    locale: owner.locale,
    privacyNoticeShown: owner.privacyNoticeShown,
    unreachable: owner.unreachable,
    createdAt: new Date(owner.createdAt.getTime()),
    updatedAt: new Date(owner.updatedAt.getTime()),
  };
  if (keys.length > 0) doc.identityKeys = keys;
  put(doc, 'name', owner.name);
  put(doc, 'phone', owner.phone);
  if (owner.qrBuilding) doc.qrBuilding = { estate: owner.qrBuilding.estate, building: owner.qrBuilding.building };
  return doc;
}

export function ownerFromDoc(doc: Stored<OwnerDoc>): Owner {
  const owner: Owner = {
    id: need(doc.id, 'owner.id'),
    identities: need(doc.identities, 'owner.identities').map((i) => ({
      channel: i.channel,
      userId: i.userId,
      chatId: i.chatId,
    })),
    units: [...need(doc.units, 'owner.units')],
    locale: need(doc.locale, 'owner.locale'),
    privacyNoticeShown: need(doc.privacyNoticeShown, 'owner.privacyNoticeShown'),
    unreachable: need(doc.unreachable, 'owner.unreachable'),
    createdAt: reviveDate(doc.createdAt, 'owner.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'owner.updatedAt'),
  };
  put(owner, 'name', doc.name);
  put(owner, 'phone', doc.phone);
  if (doc.qrBuilding) owner.qrBuilding = { estate: doc.qrBuilding.estate, building: doc.qrBuilding.building };
  return owner;
}

// ---------------------------------------------------------------------------------------------------
// Staff

export function staffToDoc(staff: Staff): StaffDoc {
  return {
    id: staff.id,
    channel: staff.channel,
    userId: staff.userId,
    displayName: staff.displayName,
    role: staff.role,
    active: staff.active,
  };
}

export function staffFromDoc(doc: Stored<StaffDoc>): Staff {
  return {
    id: need(doc.id, 'staff.id'),
    channel: need(doc.channel, 'staff.channel'),
    userId: need(doc.userId, 'staff.userId'),
    displayName: need(doc.displayName, 'staff.displayName'),
    role: need(doc.role, 'staff.role'),
    active: need(doc.active, 'staff.active'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Threads

export function threadToDoc(thread: Thread): ThreadDoc {
  return {
    channel: thread.channel,
    chatId: thread.chatId,
    ownerId: thread.ownerId,
    state: asJson(thread.state),
    updatedAt: new Date(thread.updatedAt.getTime()),
  };
}

export function threadFromDoc(doc: Stored<ThreadDoc>): Thread {
  return {
    channel: need(doc.channel, 'thread.channel'),
    chatId: need(doc.chatId, 'thread.chatId'),
    ownerId: need(doc.ownerId, 'thread.ownerId'),
    state: asJson(need(doc.state, 'thread.state')),
    updatedAt: reviveDate(doc.updatedAt, 'thread.updatedAt'),
  };
}

// ---------------------------------------------------------------------------------------------------
// Message log

export function messageToDoc(entry: MessageLogEntry, seq: number): MessageDoc {
  const doc: MessageDoc = {
    channel: entry.channel,
    chatId: entry.chatId,
    seq,
    direction: entry.direction,
    at: new Date(entry.at.getTime()),
    body: asJson(entry.body),
  };
  put(doc, 'messageId', entry.messageId);
  return doc;
}

export function messageFromDoc(doc: Stored<MessageDoc>): MessageLogEntry {
  const entry: MessageLogEntry = {
    channel: need(doc.channel, 'message.channel'),
    chatId: need(doc.chatId, 'message.chatId'),
    direction: need(doc.direction, 'message.direction'),
    at: reviveDate(doc.at, 'message.at'),
    body: asJson(doc.body ?? null),
  };
  put(entry, 'messageId', doc.messageId);
  return entry;
}

// ---------------------------------------------------------------------------------------------------
// Tickets

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
  if (ticket.firstResponseAt) doc.firstResponseAt = new Date(ticket.firstResponseAt.getTime());
  if (ticket.resolvedAt) doc.resolvedAt = new Date(ticket.resolvedAt.getTime());
  if (ticket.closedAt) doc.closedAt = new Date(ticket.closedAt.getTime());
  put(doc, 'summary', ticket.summary);
  put(doc, 'paidWork', ticket.paidWork);
  if (ticket.revisit) {
    const { at, comment, ...answers } = ticket.revisit;
    doc.revisit = { ...answers, at: new Date(at.getTime()) };
    put(doc.revisit, 'comment', comment);
  }
  put(doc, 'revisitOutcome', ticket.revisitOutcome);
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
  put(ticket, 'firstResponseAt', optionalDate(doc.firstResponseAt, 'ticket.firstResponseAt'));
  put(ticket, 'resolvedAt', optionalDate(doc.resolvedAt, 'ticket.resolvedAt'));
  put(ticket, 'closedAt', optionalDate(doc.closedAt, 'ticket.closedAt'));
  put(ticket, 'summary', doc.summary);
  put(ticket, 'paidWork', doc.paidWork);
  if (doc.revisit) {
    const r = doc.revisit as Stored<NonNullable<Ticket['revisit']>>;
    ticket.revisit = {
      at: reviveDate(r.at, 'ticket.revisit.at'),
      by: need(r.by, 'ticket.revisit.by'),
      solved: need(r.solved, 'ticket.revisit.solved'),
      attitude: need(r.attitude, 'ticket.revisit.attitude'),
      charged: need(r.charged, 'ticket.revisit.charged'),
      score: need(r.score, 'ticket.revisit.score'),
      outcome: need(r.outcome, 'ticket.revisit.outcome'),
    };
    put(ticket.revisit, 'comment', r.comment);
  }
  put(ticket, 'revisitOutcome', doc.revisitOutcome);
  return ticket;
}

// ---------------------------------------------------------------------------------------------------
// Jobs

/** A job as stored, with every field the port shows (used for new jobs and for migrated ones). */
export function jobToDoc(job: Job): JobDoc {
  const doc: JobDoc = {
    id: job.id,
    type: job.type,
    dueAt: new Date(job.dueAt.getTime()),
    payload: asJson(job.payload),
    status: job.status,
    attempts: job.attempts,
    createdAt: new Date(job.createdAt.getTime()),
    updatedAt: new Date(job.updatedAt.getTime()),
  };
  put(doc, 'key', job.key);
  if (job.key !== undefined && (job.status === 'pending' || job.status === 'running')) doc.unfinishedKey = job.key;
  put(doc, 'leaseOwner', job.leaseOwner);
  if (job.leaseUntil) doc.leaseUntil = new Date(job.leaseUntil.getTime());
  put(doc, 'lastError', job.lastError);
  return doc;
}

export function jobFromDoc(doc: Stored<JobDoc>): Job {
  const job: Job = {
    id: need(doc.id, 'job.id'),
    type: need(doc.type, 'job.type'),
    dueAt: reviveDate(doc.dueAt, 'job.dueAt'),
    payload: asJson(need(doc.payload, 'job.payload')),
    status: need(doc.status, 'job.status'),
    attempts: need(doc.attempts, 'job.attempts'),
    createdAt: reviveDate(doc.createdAt, 'job.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'job.updatedAt'),
  };
  put(job, 'key', doc.key);
  put(job, 'leaseOwner', doc.leaseOwner);
  put(job, 'leaseUntil', optionalDate(doc.leaseUntil, 'job.leaseUntil'));
  put(job, 'lastError', doc.lastError);
  return job;
}

// ---------------------------------------------------------------------------------------------------
// Outbox

/** An outbox item as stored under `seq`; `updatedAt` defaults to its creation. */
export function outboxToDoc(item: Omit<OutboxItem, 'seq'>, seq: number, updatedAt: Date = item.createdAt): OutboxDoc {
  const doc: OutboxDoc = {
    id: item.id,
    seq,
    channel: item.channel,
    chatId: item.chatId,
    action: asJson(item.action),
    status: item.status,
    attempts: item.attempts,
    notBefore: new Date(item.notBefore.getTime()),
    createdAt: new Date(item.createdAt.getTime()),
    updatedAt: new Date(updatedAt.getTime()),
  };
  put(doc, 'leaseOwner', item.leaseOwner);
  if (item.leaseUntil) doc.leaseUntil = new Date(item.leaseUntil.getTime());
  put(doc, 'lastError', item.lastError);
  put(doc, 'platformMessageId', item.platformMessageId);
  if (item.cosmetic) doc.cosmetic = true;
  return doc;
}

export function outboxFromDoc(doc: Stored<OutboxDoc>): OutboxItem {
  const item: OutboxItem = {
    id: need(doc.id, 'outbox.id'),
    seq: need(doc.seq, 'outbox.seq'),
    channel: need(doc.channel, 'outbox.channel'),
    chatId: need(doc.chatId, 'outbox.chatId'),
    action: asJson(need(doc.action, 'outbox.action')),
    status: need(doc.status, 'outbox.status'),
    attempts: need(doc.attempts, 'outbox.attempts'),
    notBefore: reviveDate(doc.notBefore, 'outbox.notBefore'),
    createdAt: reviveDate(doc.createdAt, 'outbox.createdAt'),
  };
  put(item, 'leaseOwner', doc.leaseOwner);
  put(item, 'leaseUntil', optionalDate(doc.leaseUntil, 'outbox.leaseUntil'));
  put(item, 'lastError', doc.lastError);
  put(item, 'platformMessageId', doc.platformMessageId);
  if (doc.cosmetic) item.cosmetic = true;
  return item;
}

// ---------------------------------------------------------------------------------------------------
// Satisfaction surveys

export type SurveyCampaignDoc = SurveyCampaign;

export interface SurveyInvitationDoc extends SurveyInvitation {
  /** The last contact (`lastRemindedAt`, else `invitedAt`): what reminders are due by. */
  lastContactAt: Date;
}

export type SurveyResponseDoc = SurveyResponse;

export interface SurveyOptOutDoc {
  ownerId: string;
  at: Date;
}

function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

export function campaignToDoc(campaign: SurveyCampaign): SurveyCampaignDoc {
  const doc: SurveyCampaignDoc = {
    id: campaign.id,
    questionnaireId: campaign.questionnaireId,
    questionnaireVersion: campaign.questionnaireVersion,
    name: campaign.name,
    status: campaign.status,
    target: asJson(campaign.target),
    createdBy: campaign.createdBy,
    createdAt: copyDate(campaign.createdAt),
    updatedAt: copyDate(campaign.updatedAt),
    invitedCount: campaign.invitedCount,
  };
  for (const field of ['startAt', 'endAt', 'previewedAt', 'startedAt', 'closedAt', 'invitationsDoneAt'] as const) {
    const value = campaign[field];
    if (value) doc[field] = copyDate(value);
  }
  return doc;
}

export function campaignFromDoc(doc: Stored<SurveyCampaignDoc>): SurveyCampaign {
  const campaign: SurveyCampaign = {
    id: need(doc.id, 'survey_campaign.id'),
    questionnaireId: need(doc.questionnaireId, 'survey_campaign.questionnaireId'),
    questionnaireVersion: need(doc.questionnaireVersion, 'survey_campaign.questionnaireVersion'),
    name: need(doc.name, 'survey_campaign.name'),
    status: need(doc.status, 'survey_campaign.status'),
    target: asJson(need(doc.target, 'survey_campaign.target')),
    createdBy: need(doc.createdBy, 'survey_campaign.createdBy'),
    createdAt: reviveDate(doc.createdAt, 'survey_campaign.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'survey_campaign.updatedAt'),
    invitedCount: need(doc.invitedCount, 'survey_campaign.invitedCount'),
  };
  for (const field of ['startAt', 'endAt', 'previewedAt', 'startedAt', 'closedAt', 'invitationsDoneAt'] as const) {
    put(campaign, field, optionalDate(doc[field], `survey_campaign.${field}`));
  }
  return campaign;
}

export function invitationToDoc(invitation: SurveyInvitation): SurveyInvitationDoc {
  const doc: SurveyInvitationDoc = {
    campaignId: invitation.campaignId,
    ownerId: invitation.ownerId,
    status: invitation.status,
    channel: invitation.channel,
    chatId: invitation.chatId,
    invitedAt: copyDate(invitation.invitedAt),
    lastContactAt: copyDate(invitation.lastRemindedAt ?? invitation.invitedAt),
  };
  put(doc, 'building', invitation.building);
  if (invitation.lastRemindedAt) doc.lastRemindedAt = copyDate(invitation.lastRemindedAt);
  if (invitation.answeredAt) doc.answeredAt = copyDate(invitation.answeredAt);
  if (invitation.draft !== undefined) doc.draft = asJson(invitation.draft);
  return doc;
}

export function invitationFromDoc(doc: Stored<SurveyInvitationDoc>): SurveyInvitation {
  const invitation: SurveyInvitation = {
    campaignId: need(doc.campaignId, 'survey_invitation.campaignId'),
    ownerId: need(doc.ownerId, 'survey_invitation.ownerId'),
    status: need(doc.status, 'survey_invitation.status'),
    channel: need(doc.channel, 'survey_invitation.channel'),
    chatId: need(doc.chatId, 'survey_invitation.chatId'),
    invitedAt: reviveDate(doc.invitedAt, 'survey_invitation.invitedAt'),
  };
  put(invitation, 'building', doc.building);
  put(invitation, 'lastRemindedAt', optionalDate(doc.lastRemindedAt, 'survey_invitation.lastRemindedAt'));
  put(invitation, 'answeredAt', optionalDate(doc.answeredAt, 'survey_invitation.answeredAt'));
  if (doc.draft !== undefined && doc.draft !== null) invitation.draft = asJson(doc.draft);
  return invitation;
}

export function responseToDoc(response: SurveyResponse): SurveyResponseDoc {
  const doc: SurveyResponseDoc = {
    id: response.id,
    campaignId: response.campaignId,
    ownerId: response.ownerId,
    questionnaireVersion: response.questionnaireVersion,
    answers: asJson(response.answers),
    channel: response.channel,
    submittedAt: copyDate(response.submittedAt),
  };
  put(doc, 'building', response.building);
  return doc;
}

export function responseFromDoc(doc: Stored<SurveyResponseDoc>): SurveyResponse {
  const response: SurveyResponse = {
    id: need(doc.id, 'survey_response.id'),
    campaignId: need(doc.campaignId, 'survey_response.campaignId'),
    ownerId: need(doc.ownerId, 'survey_response.ownerId'),
    questionnaireVersion: need(doc.questionnaireVersion, 'survey_response.questionnaireVersion'),
    answers: asJson(need(doc.answers, 'survey_response.answers')),
    channel: need(doc.channel, 'survey_response.channel'),
    submittedAt: reviveDate(doc.submittedAt, 'survey_response.submittedAt'),
  };
  put(response, 'building', doc.building);
  return response;
}

export function optOutFromDoc(doc: Stored<SurveyOptOutDoc>): Date {
  return reviveDate(doc.at, 'survey_opt_out.at');
}

// ---------------------------------------------------------------------------------------------------
// Enquiries and knowledge entries

/** Enquiries: the port's object as it is (instants as dates). */
export type EnquiryDoc = Enquiry;

/** Staff-saved knowledge entries: the port's object; the per-language maps kept as they are. */
export type KnowledgeEntryDoc = KnowledgeEntry;

const ENQUIRY_DATES = ['dueAt', 'remindedAt', 'escalatedAt', 'answeredAt'] as const;

export function enquiryToDoc(enquiry: Enquiry): EnquiryDoc {
  const doc: EnquiryDoc = {
    id: enquiry.id,
    ownerId: enquiry.ownerId,
    channel: enquiry.channel,
    chatId: enquiry.chatId,
    locale: enquiry.locale,
    text: enquiry.text,
    kind: enquiry.kind,
    status: enquiry.status,
    askedAt: copyDate(enquiry.askedAt),
    updatedAt: copyDate(enquiry.updatedAt),
  };
  put(doc, 'building', enquiry.building);
  if (enquiry.matched) doc.matched = [...enquiry.matched];
  put(doc, 'topic', enquiry.topic);
  put(doc, 'helpful', enquiry.helpful);
  for (const field of ENQUIRY_DATES) {
    const value = enquiry[field];
    if (value) doc[field] = copyDate(value);
  }
  put(doc, 'answer', enquiry.answer);
  if (enquiry.answeredBy) doc.answeredBy = { id: enquiry.answeredBy.id, name: enquiry.answeredBy.name };
  put(doc, 'savedAs', enquiry.savedAs);
  return doc;
}

export function enquiryFromDoc(doc: Stored<EnquiryDoc>): Enquiry {
  const enquiry: Enquiry = {
    id: need(doc.id, 'enquiry.id'),
    ownerId: need(doc.ownerId, 'enquiry.ownerId'),
    channel: need(doc.channel, 'enquiry.channel'),
    chatId: need(doc.chatId, 'enquiry.chatId'),
    locale: need(doc.locale, 'enquiry.locale'),
    text: need(doc.text, 'enquiry.text'),
    kind: need(doc.kind, 'enquiry.kind'),
    status: need(doc.status, 'enquiry.status'),
    askedAt: reviveDate(doc.askedAt, 'enquiry.askedAt'),
    updatedAt: reviveDate(doc.updatedAt, 'enquiry.updatedAt'),
  };
  put(enquiry, 'building', doc.building);
  if (doc.matched) enquiry.matched = [...doc.matched];
  put(enquiry, 'topic', doc.topic);
  put(enquiry, 'helpful', doc.helpful);
  for (const field of ENQUIRY_DATES) put(enquiry, field, optionalDate(doc[field], `enquiry.${field}`));
  put(enquiry, 'answer', doc.answer);
  if (doc.answeredBy) {
    enquiry.answeredBy = {
      id: need(doc.answeredBy.id, 'enquiry.answeredBy.id'),
      name: need(doc.answeredBy.name, 'enquiry.answeredBy.name'),
    };
  }
  put(enquiry, 'savedAs', doc.savedAs);
  return enquiry;
}

export function knowledgeEntryToDoc(entry: KnowledgeEntry): KnowledgeEntryDoc {
  const doc: KnowledgeEntryDoc = {
    id: entry.id,
    topic: entry.topic,
    questions: asJson(entry.questions),
    answer: asJson(entry.answer),
    source: entry.source,
  };
  if (entry.keywords !== undefined) doc.keywords = asJson(entry.keywords);
  put(doc, 'createdBy', entry.createdBy);
  if (entry.createdAt) doc.createdAt = copyDate(entry.createdAt);
  put(doc, 'fromEnquiry', entry.fromEnquiry);
  return doc;
}

export function knowledgeEntryFromDoc(doc: Stored<KnowledgeEntryDoc>): KnowledgeEntry {
  const entry: KnowledgeEntry = {
    id: need(doc.id, 'knowledge_entry.id'),
    topic: need(doc.topic, 'knowledge_entry.topic'),
    questions: asJson(need(doc.questions, 'knowledge_entry.questions')),
    answer: asJson(need(doc.answer, 'knowledge_entry.answer')),
    source: need(doc.source, 'knowledge_entry.source'),
  };
  if (doc.keywords !== undefined && doc.keywords !== null) entry.keywords = asJson(doc.keywords);
  put(entry, 'createdBy', doc.createdBy);
  put(entry, 'createdAt', optionalDate(doc.createdAt, 'knowledge_entry.createdAt'));
  put(entry, 'fromEnquiry', doc.fromEnquiry);
  return entry;
}

// ---------------------------------------------------------------------------------------------------
// Notices and their deliveries

/** Notices: the port's object as it is (instants as dates, corrections' instants too). */
export type NoticeDoc = Notice;

/** One delivery per notice and owner (see INDEXES.noticeDeliveries). */
export type NoticeDeliveryDoc = NoticeDelivery;

const NOTICE_DATES = [
  'sendAt',
  'previewedAt',
  'publishedAt',
  'sentDoneAt',
  'cancelledAt',
  'expiredAt',
  'remindedAt',
] as const;

export function noticeToDoc(notice: Notice): NoticeDoc {
  const doc: NoticeDoc = {
    id: notice.id,
    kind: notice.kind,
    urgent: notice.urgent,
    target: asJson(notice.target),
    text: asJson(notice.text),
    validFrom: copyDate(notice.validFrom),
    validTo: copyDate(notice.validTo),
    status: notice.status,
    createdBy: notice.createdBy,
    createdAt: copyDate(notice.createdAt),
    updatedAt: copyDate(notice.updatedAt),
    corrections: notice.corrections.map((c) => ({ at: copyDate(c.at), by: c.by, text: asJson(c.text) })),
  };
  if (notice.photo) doc.photo = { channel: notice.photo.channel, fileRef: notice.photo.fileRef };
  for (const field of NOTICE_DATES) {
    const value = notice[field];
    if (value) doc[field] = copyDate(value);
  }
  put(doc, 'publishedBy', notice.publishedBy);
  return doc;
}

export function noticeFromDoc(doc: Stored<NoticeDoc>): Notice {
  const notice: Notice = {
    id: need(doc.id, 'notice.id'),
    kind: need(doc.kind, 'notice.kind'),
    urgent: need(doc.urgent, 'notice.urgent'),
    target: asJson(need(doc.target, 'notice.target')),
    text: asJson(need(doc.text, 'notice.text')),
    validFrom: reviveDate(doc.validFrom, 'notice.validFrom'),
    validTo: reviveDate(doc.validTo, 'notice.validTo'),
    status: need(doc.status, 'notice.status'),
    createdBy: need(doc.createdBy, 'notice.createdBy'),
    createdAt: reviveDate(doc.createdAt, 'notice.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'notice.updatedAt'),
    corrections: (doc.corrections ?? []).map((c) => ({
      at: reviveDate(c.at, 'notice.corrections.at'),
      by: need(c.by, 'notice.corrections.by'),
      text: asJson(need(c.text, 'notice.corrections.text')),
    })),
  };
  if (doc.photo) {
    notice.photo = {
      channel: need(doc.photo.channel, 'notice.photo.channel'),
      fileRef: need(doc.photo.fileRef, 'notice.photo.fileRef'),
    };
  }
  for (const field of NOTICE_DATES) put(notice, field, optionalDate(doc[field], `notice.${field}`));
  put(notice, 'publishedBy', doc.publishedBy);
  return notice;
}

export function deliveryToDoc(delivery: NoticeDelivery): NoticeDeliveryDoc {
  const doc: NoticeDeliveryDoc = {
    noticeId: delivery.noticeId,
    ownerId: delivery.ownerId,
    channel: delivery.channel,
    chatId: delivery.chatId,
    sentAt: copyDate(delivery.sentAt),
    updatesSent: delivery.updatesSent,
  };
  if (delivery.readAt) doc.readAt = copyDate(delivery.readAt);
  if (delivery.remindedAt) doc.remindedAt = copyDate(delivery.remindedAt);
  return doc;
}

export function deliveryFromDoc(doc: Stored<NoticeDeliveryDoc>): NoticeDelivery {
  const delivery: NoticeDelivery = {
    noticeId: need(doc.noticeId, 'notice_delivery.noticeId'),
    ownerId: need(doc.ownerId, 'notice_delivery.ownerId'),
    channel: need(doc.channel, 'notice_delivery.channel'),
    chatId: need(doc.chatId, 'notice_delivery.chatId'),
    sentAt: reviveDate(doc.sentAt, 'notice_delivery.sentAt'),
    updatesSent: need(doc.updatesSent, 'notice_delivery.updatesSent'),
  };
  put(delivery, 'readAt', optionalDate(doc.readAt, 'notice_delivery.readAt'));
  put(delivery, 'remindedAt', optionalDate(doc.remindedAt, 'notice_delivery.remindedAt'));
  return delivery;
}
