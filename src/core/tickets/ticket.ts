/**
 * Tickets: the eight steps of handling a complaint (domain.md) as explicit states and a transition table.
 * Pure: every function returns a new ticket or a typed refusal; nothing here throws for a bad request.
 */
import type {
  Address,
  Category,
  Channel,
  Contact,
  EstateLocation,
  Responsibility,
  TicketKind,
  TicketSource,
  Urgency,
} from '../types.js';
import type { TimelineDetail } from './timeline.js';

/**
 * Ticket states. Each step of domain.md is visible:
 * 1 record → `recorded`; 2 judge → `accepted` then `in_progress` (or `rejected`); 3–5 investigate, name
 * the responsible party, propose a plan → `in_progress` / `awaiting_agreement`; 6 reply and carry out →
 * `scheduled` / `in_progress`; `resolved`; 7 revisit → `closed` or `reopened`; 8 summarise → reports.
 */
export const TICKET_STATUSES = [
  'recorded',
  'accepted',
  'rejected',
  'in_progress',
  'awaiting_agreement',
  'scheduled',
  'resolved',
  'closed',
  'reopened',
  'cancelled',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which the ticket still needs the service centre's work. */
export const OPEN_STATUSES: readonly TicketStatus[] = [
  'recorded',
  'accepted',
  'in_progress',
  'awaiting_agreement',
  'scheduled',
  'reopened',
];

export function isOpen(status: TicketStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** Who did something to a ticket. */
export type Actor = { type: 'owner'; id: string } | { type: 'staff'; id: string; name: string } | { type: 'system' };

/** One entry on a ticket's timeline: every transition and every message about the ticket. */
export interface TimelineEvent {
  at: Date;
  actor: Actor;
  action: TicketAction | 'note' | 'owner_message' | 'staff_reply' | 'reminder' | 'escalation' | 'revisit';
  from?: TicketStatus;
  to?: TicketStatus;
  /** Words someone typed (a staff note, the owner's message, a plan); older entries also hold the system's sentences. */
  note?: string;
  /** What the system recorded, as a code with parameters, rendered through the locales (timeline.ts). */
  detail?: TimelineDetail;
  /** Extra structured detail (e.g. the new assignee, the plan's time). */
  data?: Record<string, unknown>;
}

export interface Attachment {
  /** Platform file reference (Telegram file_id) or a path under DATA_DIR. */
  ref: string;
  channel: Channel;
  caption?: string;
}

/** What the conversation collects before a ticket exists. */
export interface TicketDraft {
  kind: TicketKind;
  category: Category;
  urgency: Urgency;
  location?: EstateLocation;
  description: string;
  /** Who or what the complaint is about. */
  subject?: string;
  /** What the owner wants done. */
  demand?: string;
  attachments: Attachment[];
  contact?: Contact;
}

/** The owner's answers at the revisit (回访), by chat or recorded by staff after a phone call. */
export interface RevisitRecord {
  at: Date;
  by: 'chat' | 'phone';
  solved: boolean;
  attitude: 'satisfied' | 'so_so' | 'unsatisfied';
  charged: boolean;
  /** 1–10. */
  score: number;
  comment?: string;
  outcome: 'closed' | 'reopened';
}

/** What a revisit asks (a revisit record without when, how and what came of it). */
export type RevisitAnswers = Omit<RevisitRecord, 'at' | 'by' | 'outcome'>;

export interface Ticket extends TicketDraft {
  id: string;
  /** e.g. T261128-0007. */
  number: string;
  status: TicketStatus;
  responsibility: Responsibility;
  ownerId: string;
  /**
   * How the complaint reached the service centre, for a ticket staff entered for the owner (代客登记); absent
   * for one the owner filed in the chat (every ticket before sources were kept reads as `chat`).
   */
  source?: TicketSource;
  /** Where the ticket came from (the channel of origin) and where the owner is answered. */
  origin: Address;
  /** The accountable staff member (谁受理、谁跟进、谁回复). */
  assignee?: { id: string; name: string };
  plan?: string;
  scheduledFor?: Date;
  resolution?: string;
  rejection?: string;
  reopenCount: number;
  /** A one-line summary of a long description, for the card. */
  summary?: string;
  /** The work is paid by the owner (so "charged: yes" at the revisit is expected). */
  paidWork?: boolean;
  /** The latest revisit's answers; `noResponse` when the owner never answered. */
  revisit?: RevisitRecord;
  revisitOutcome?: 'answered' | 'no_response';
  createdAt: Date;
  updatedAt: Date;
  firstResponseAt?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
  timeline: TimelineEvent[];
}

/** Actions that move a ticket through its states. */
export type TicketAction =
  | 'create'
  | 'accept'
  | 'judge'
  | 'reject'
  | 'request_review'
  | 'propose_plan'
  | 'agree_plan'
  | 'disagree_plan'
  | 'schedule'
  | 'start_work'
  | 'resolve'
  | 'close'
  | 'reopen'
  | 'cancel'
  | 'hand_over';

/** The transition table: for each action, the statuses it may start from and where it leads. */
export const TRANSITIONS: Record<
  Exclude<TicketAction, 'create'>,
  {
    from: readonly TicketStatus[];
    to: TicketStatus | 'same';
    /** Statuses the action may start from but leaves as they are (judging while a visit is booked). */
    keep?: readonly TicketStatus[];
  }
> = {
  accept: { from: ['recorded', 'reopened'], to: 'accepted' },
  // Work follows the real order: the responsible party is often named only after the site visit, so
  // judging is allowed while a visit is booked or a plan waits for the owner, and leaves those as they are.
  judge: {
    from: ['accepted', 'in_progress', 'awaiting_agreement', 'scheduled', 'reopened'],
    to: 'in_progress',
    keep: ['awaiting_agreement', 'scheduled'],
  },
  reject: { from: ['recorded', 'accepted', 'in_progress', 'reopened'], to: 'rejected' },
  request_review: { from: ['rejected'], to: 'reopened' },
  // A plan waiting for the owner may be revised, or overtaken (the owner agreed by phone, or never answered);
  // it is usually proposed after the site visit, so also while a visit is booked.
  propose_plan: {
    from: ['accepted', 'in_progress', 'awaiting_agreement', 'scheduled', 'reopened'],
    to: 'awaiting_agreement',
  },
  agree_plan: { from: ['awaiting_agreement'], to: 'in_progress' },
  disagree_plan: { from: ['awaiting_agreement'], to: 'in_progress' },
  schedule: { from: ['accepted', 'in_progress', 'awaiting_agreement', 'scheduled'], to: 'scheduled' },
  start_work: { from: ['scheduled'], to: 'in_progress' },
  resolve: { from: ['accepted', 'in_progress', 'awaiting_agreement', 'scheduled', 'reopened'], to: 'resolved' },
  close: { from: ['resolved', 'rejected'], to: 'closed' },
  reopen: { from: ['resolved', 'closed'], to: 'reopened' },
  cancel: { from: ['recorded'], to: 'cancelled' },
  hand_over: { from: ['accepted', 'in_progress', 'awaiting_agreement', 'scheduled', 'reopened'], to: 'same' },
};

export type TransitionResult =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: 'illegal_transition'; action: TicketAction; status: TicketStatus };

/**
 * Applies an action to a ticket. `patch` carries the fields the action sets (plan, assignee …); `note` is
 * the words someone typed, or the system's code for the event (timeline.ts).
 * Returns the new ticket with a timeline event, or a refusal naming the status that forbids it.
 */
export function transition(
  ticket: Ticket,
  action: Exclude<TicketAction, 'create'>,
  actor: Actor,
  at: Date,
  patch: Partial<Ticket> = {},
  note?: string | TimelineDetail,
  data?: Record<string, unknown>,
): TransitionResult {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(ticket.status)) {
    return { ok: false, reason: 'illegal_transition', action, status: ticket.status };
  }
  const to = rule.to === 'same' || rule.keep?.includes(ticket.status) ? ticket.status : rule.to;
  const next: Ticket = {
    ...ticket,
    ...patch,
    status: to,
    updatedAt: at,
    timeline: [
      ...ticket.timeline,
      typeof note === 'object'
        ? { at, actor, action, from: ticket.status, to, detail: note, data }
        : { at, actor, action, from: ticket.status, to, note, data },
    ],
  };
  if (actor.type === 'staff' && !next.firstResponseAt) next.firstResponseAt = at;
  if (to === 'resolved') next.resolvedAt = at;
  if (to === 'closed' || to === 'cancelled') next.closedAt = at;
  if (action === 'reopen' || action === 'request_review') next.reopenCount = ticket.reopenCount + 1;
  return { ok: true, ticket: next };
}

/** Adds an event that does not change the status (a message, a note, a reminder). */
export function addEvent(ticket: Ticket, event: Omit<TimelineEvent, 'from' | 'to'>): Ticket {
  return { ...ticket, updatedAt: event.at, timeline: [...ticket.timeline, event] };
}

/** Builds a new ticket in `recorded` from a confirmed draft. */
export function newTicket(args: {
  id: string;
  number: string;
  draft: TicketDraft;
  ownerId: string;
  origin: Address;
  at: Date;
}): Ticket {
  const { id, number, draft, ownerId, origin, at } = args;
  return {
    ...draft,
    id,
    number,
    status: 'recorded',
    responsibility: 'unknown',
    ownerId,
    origin,
    reopenCount: 0,
    createdAt: at,
    updatedAt: at,
    timeline: [{ at, actor: { type: 'owner', id: ownerId }, action: 'create', to: 'recorded' }],
  };
}

/** Ticket numbers: `T` + YYMMDD in the business time zone + `-` + a daily sequence of at least four digits. */
export function formatTicketNumber(dayKey: string, seq: number): string {
  return `T${dayKey}-${String(seq).padStart(4, '0')}`;
}

/** Matches a ticket number typed by a person (case-insensitive, full-width dash tolerated). */
export const TICKET_NUMBER_PATTERN = /\bT\d{6}-\d{4,}\b/i;

export function normaliseTicketNumber(text: string): string | undefined {
  const m = text.replace(/[－—–]/g, '-').match(TICKET_NUMBER_PATTERN);
  return m ? m[0].toUpperCase() : undefined;
}

/** Masks a phone number for the staff group: +8613812345678 → 138****5678. */
export function maskPhone(phone: string | undefined): string {
  if (!phone) return '—';
  const national = phone.startsWith('+86') ? phone.slice(3) : phone.replace(/^\+/, '');
  if (national.length <= 6) return `${national.slice(0, 1)}****`;
  return `${national.slice(0, 3)}****${national.slice(-4)}`;
}
