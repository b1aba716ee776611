/**
 * Ports: the interfaces the core and the application depend on. Adapters (SQLite, MongoDB, the
 * channels) implement them; nothing here names a database or a platform library.
 */
import type { AnswerValue, ConversationState } from './flow/state.js';
import type { Ticket, TicketStatus } from './tickets/ticket.js';
import type { Channel, OutboundAction, Owner, Staff } from './types.js';

/** The clock is a port: tests drive time, they do not sleep. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** One chat's conversation: who it belongs to and where its flow stands. */
export interface Thread {
  channel: Channel;
  chatId: string;
  ownerId: string;
  state: ConversationState;
  updatedAt: Date;
}

/** Every inbound and outbound message is logged with its thread: nothing an owner said is ever lost. */
export interface MessageLogEntry {
  channel: Channel;
  chatId: string;
  direction: 'in' | 'out';
  at: Date;
  /** Platform message id (inbound) or outbox id (outbound). */
  messageId?: string;
  /** The normalised content (inbound) or the outbound action. */
  body: unknown;
}

export interface TicketQuery {
  ownerId?: string;
  assigneeId?: string;
  statuses?: readonly TicketStatus[];
  /** Newest first; default 50. */
  limit?: number;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** A durable scheduled job. */
export interface Job {
  id: string;
  type: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  /** Unique among jobs that are not finished: scheduling a second job with the same key is a no-op. */
  key?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewJob {
  id: string;
  type: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  key?: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** One message waiting to be delivered, in order per chat. */
export interface OutboxItem {
  id: string;
  /** Monotonic across the store; gives the per-chat order. */
  seq: number;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  status: OutboxStatus;
  attempts: number;
  /** Not tried again before this instant. */
  notBefore: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  /** The platform's id of the sent message. */
  platformMessageId?: string;
  createdAt: Date;
}

export interface NewOutboxItem {
  id: string;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  notBefore?: Date;
}

// ── satisfaction surveys ────────────────────────────────────────────────────────

export type SurveyCampaignStatus = 'draft' | 'scheduled' | 'running' | 'closed';

/** Who a campaign invites: every reachable owner, or the owners of some buildings (3 in 3-2-501). */
export type SurveyTarget = { kind: 'all' } | { kind: 'buildings'; buildings: string[] };

/** One run of a questionnaire (满意度调查): planned, previewed, run between two dates, then analysed. */
export interface SurveyCampaign {
  /** Short and typed by people, e.g. S007. */
  id: string;
  questionnaireId: string;
  questionnaireVersion: number;
  name: string;
  status: SurveyCampaignStatus;
  target: SurveyTarget;
  startAt?: Date;
  endAt?: Date;
  /** Staff id, or `cli:<user>`. */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** When staff last reviewed it as owners will see it (a campaign starts only after a preview). */
  previewedAt?: Date;
  startedAt?: Date;
  closedAt?: Date;
  /** Owners invited so far. */
  invitedCount: number;
  /** When the invitations finished: every eligible owner had been invited. */
  invitationsDoneAt?: Date;
}

export type SurveyInvitationStatus = 'invited' | 'reminded1' | 'reminded2' | 'answered' | 'declined';

/** One owner invited to one campaign (unique per campaign and owner): nobody is invited twice. */
export interface SurveyInvitation {
  campaignId: string;
  ownerId: string;
  status: SurveyInvitationStatus;
  /** Where the invitation went. */
  channel: Channel;
  chatId: string;
  /** The owner's building in the campaign's target, when known. */
  building?: string;
  invitedAt: Date;
  lastRemindedAt?: Date;
  answeredAt?: Date;
  /** Answers given before the owner stopped the questionnaire, offered back when they return. */
  draft?: Record<string, AnswerValue>;
}

/** One owner's answers to one campaign (unique per campaign and owner). */
export interface SurveyResponse {
  id: string;
  campaignId: string;
  ownerId: string;
  questionnaireVersion: number;
  /** By question id (and `follow_up`); JSON-safe. */
  answers: Record<string, AnswerValue>;
  building?: string;
  channel: Channel;
  submittedAt: Date;
}

/** The survey part of a transaction (StoreTx extends it). */
export interface SurveyStoreTx {
  /** Inserts a campaign; StoreError STORE_CONFLICT when its id is taken. */
  createSurveyCampaign(campaign: SurveyCampaign): Promise<void>;
  /** Inserts or replaces a campaign (by id). */
  saveSurveyCampaign(campaign: SurveyCampaign): Promise<void>;
  getSurveyCampaign(id: string): Promise<SurveyCampaign | undefined>;
  /** Newest first (createdAt, then id, descending); an empty `statuses` matches nothing. */
  listSurveyCampaigns(filter?: {
    questionnaireId?: string;
    statuses?: readonly SurveyCampaignStatus[];
  }): Promise<SurveyCampaign[]>;

  /**
   * Records an invitation unless this owner has one for this campaign already: true when it was inserted,
   * false (and nothing changes) otherwise. Called in the transaction that writes the invitation's messages,
   * so a crash loses both or neither and a restart never invites anyone twice.
   */
  addSurveyInvitation(invitation: SurveyInvitation): Promise<boolean>;
  getSurveyInvitation(campaignId: string, ownerId: string): Promise<SurveyInvitation | undefined>;
  /** Replaces an existing invitation (status, reminder, draft); does nothing when there is none. */
  updateSurveyInvitation(invitation: SurveyInvitation): Promise<void>;
  /**
   * A campaign's invitations, oldest first (invitedAt, then ownerId). `contactedBefore` keeps those whose
   * last contact (lastRemindedAt, else invitedAt) is strictly before it; an empty `statuses` matches nothing.
   */
  listSurveyInvitations(
    campaignId: string,
    filter?: { statuses?: readonly SurveyInvitationStatus[]; contactedBefore?: Date; limit?: number },
  ): Promise<SurveyInvitation[]>;
  /** One owner's invitations across campaigns, newest first (invitedAt, then campaignId, descending). */
  listSurveyInvitationsOfOwner(ownerId: string): Promise<SurveyInvitation[]>;

  /** Records a response unless the owner answered this campaign already: true when inserted, false otherwise. */
  addSurveyResponse(response: SurveyResponse): Promise<boolean>;
  getSurveyResponse(campaignId: string, ownerId: string): Promise<SurveyResponse | undefined>;
  /** A campaign's responses, oldest first (submittedAt, then id). */
  listSurveyResponses(campaignId: string): Promise<SurveyResponse[]>;

  /** Remembers that the owner wants no more surveys; a second call keeps the first instant. */
  setSurveyOptOut(ownerId: string, at: Date): Promise<void>;
  /** Forgets the opt-out; true when there was one. */
  clearSurveyOptOut(ownerId: string): Promise<boolean>;
  getSurveyOptOut(ownerId: string): Promise<Date | undefined>;
  /** Every owner who opted out, by id (sorted). */
  listSurveyOptOuts(): Promise<string[]>;
}

/** Everything one transaction can read and write. All methods are async so any database can implement them. */
export interface StoreTx extends SurveyStoreTx {
  /** Records an inbound platform message id; false when it was seen before (a redelivery). */
  markInbound(channel: Channel, messageId: string, at: Date): Promise<boolean>;

  getOwner(id: string): Promise<Owner | undefined>;
  findOwnerByIdentity(channel: Channel, userId: string): Promise<Owner | undefined>;
  /** Inserts or replaces the owner (identities are unique per channel and user id). */
  saveOwner(owner: Owner): Promise<void>;
  listOwners(): Promise<Owner[]>;
  /** The owners whose phone number is exactly `phone`, oldest first (createdAt, then id); indexed. */
  findOwnersByPhone(phone: string): Promise<Owner[]>;

  getStaff(id: string): Promise<Staff | undefined>;
  findStaff(channel: Channel, userId: string): Promise<Staff | undefined>;
  saveStaff(staff: Staff): Promise<void>;
  listStaff(): Promise<Staff[]>;

  getThread(channel: Channel, chatId: string): Promise<Thread | undefined>;
  saveThread(thread: Thread): Promise<void>;

  logMessage(entry: MessageLogEntry): Promise<void>;
  /** Oldest first, the last `limit` entries. */
  listMessages(channel: Channel, chatId: string, limit?: number): Promise<MessageLogEntry[]>;

  /** Atomically increments and returns the named counter (first value 1). */
  nextSequence(name: string): Promise<number>;

  getTicket(id: string): Promise<Ticket | undefined>;
  getTicketByNumber(number: string): Promise<Ticket | undefined>;
  /** Inserts or replaces a ticket (unique by id and by number). */
  saveTicket(ticket: Ticket): Promise<void>;
  listTickets(query: TicketQuery): Promise<Ticket[]>;

  /** Schedules a job; when `key` names an unfinished job already, returns that one instead. */
  scheduleJob(job: NewJob, now: Date): Promise<Job>;
  /** Cancels pending jobs with this key; returns how many. */
  cancelJobs(key: string, now: Date): Promise<number>;
  getJob(id: string): Promise<Job | undefined>;
  /** Due (`dueAt <= now`) pending jobs, and running ones whose lease has expired, leased to `worker`. */
  claimJobs(now: Date, worker: string, leaseMs: number, limit: number): Promise<Job[]>;
  /** The following four change a job only while `worker` holds its lease; they return false otherwise. */
  completeJob(id: string, worker: string, now: Date): Promise<boolean>;
  retryJob(id: string, worker: string, dueAt: Date, error: string, now: Date): Promise<boolean>;
  failJob(id: string, worker: string, error: string, now: Date): Promise<boolean>;
  releaseJob(id: string, worker: string, now: Date): Promise<boolean>;
  listJobs(filter: { status?: JobStatus; type?: string }): Promise<Job[]>;

  /**
   * Adds items at the end of their chats' queues. An item never waits behind an earlier one due later:
   * the chat's pending items that were deferred (never attempted) and are due after the new item are
   * brought forward to its `notBefore` (a reply sent now takes the night's held messages with it).
   * Items waiting out a failed attempt or a platform's rate limit keep their time.
   */
  enqueue(items: NewOutboxItem[], now: Date): Promise<void>;
  /**
   * Leases deliverable items: for each chat only its oldest undelivered item (so order holds), and
   * only when it is pending with `notBefore <= now`, or sending with an expired lease.
   */
  claimOutbox(now: Date, worker: string, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  markOutboxSent(id: string, platformMessageId: string | undefined, now: Date): Promise<void>;
  /** Back to pending, not before `notBefore`; `countAttempt` false for rate-limit waits. */
  markOutboxRetry(id: string, notBefore: Date, error: string | undefined, countAttempt: boolean): Promise<void>;
  markOutboxDead(id: string, error: string, now: Date): Promise<void>;
  listOutbox(filter: { status?: OutboxStatus; channel?: Channel; chatId?: string }): Promise<OutboxItem[]>;

  /** Names a sent platform message (e.g. `card:T261128-0007`) so it can be edited or recognised later. */
  setMessageRef(channel: Channel, chatId: string, ref: string, platformMessageId: string): Promise<void>;
  getMessageRef(channel: Channel, chatId: string, ref: string): Promise<string | undefined>;
  findRefByMessage(channel: Channel, chatId: string, platformMessageId: string): Promise<string | undefined>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}

/** The store: every StoreTx method runs in its own transaction when called directly. */
export interface Store extends StoreTx {
  /** Runs `fn` in one transaction: all of its writes happen, or none. Serialised with other transactions. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Named infrastructure failure with a stable code; context never holds a secret. */
export class StoreError extends Error {
  constructor(
    readonly code: 'STORE_UNAVAILABLE' | 'STORE_CONFLICT' | 'STORE_MIGRATION' | 'STORE_CORRUPT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
