/**
 * The MongoDB collections by name and every index the store's queries use (schemas.ts holds what a
 * document must hold). The store creates the collections and these indexes itself at start-up (never
 * mongoose's autoIndex).
 */
import { COLLECTION_NAMES } from './connection.js';

/** Collection names. `sequences` holds the store's own counters (outbox order, per-chat log order). */
export const COLLECTIONS = { ...COLLECTION_NAMES, sequences: 'store_sequences' } as const;

export type CollectionKey = keyof typeof COLLECTIONS;

/** One index, as handed to `createIndexes`. */
export interface IndexDefinition {
  key: Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  /** Only the documents that match are indexed (a query must imply it to use the index). */
  partialFilterExpression?: Record<string, unknown>;
}

/**
 * Every index, per collection. Each names the query it serves; `_id` is MongoDB's own and is never
 * used by the store except as the insertion-order tie-break of tickets, jobs and message refs.
 */
export const INDEXES: { readonly [K in CollectionKey]: readonly IndexDefinition[] } = {
  // markInbound: the dedupe key.
  inbound: [{ key: { channel: 1, messageId: 1 }, name: 'inbound_key', unique: true }],
  owners: [
    { key: { id: 1 }, name: 'owners_id', unique: true },
    // findOwnerByIdentity; an identity belongs to one owner. Sparse: owners without identities omit the field.
    { key: { identityKeys: 1 }, name: 'owners_identity', unique: true, sparse: true },
    // listOwners
    { key: { createdAt: 1, id: 1 }, name: 'owners_created' },
    // findOwnersByPhone, oldest first
    { key: { phone: 1, createdAt: 1, id: 1 }, name: 'owners_phone' },
  ],
  staff: [
    { key: { id: 1 }, name: 'staff_id', unique: true },
    { key: { channel: 1, userId: 1 }, name: 'staff_identity', unique: true },
  ],
  threads: [
    { key: { channel: 1, chatId: 1 }, name: 'threads_chat', unique: true },
    { key: { ownerId: 1 }, name: 'threads_owner' },
  ],
  // listMessages: the last entries of a chat.
  messages: [{ key: { channel: 1, chatId: 1, seq: 1 }, name: 'message_log_chat', unique: true }],
  counters: [{ key: { name: 1 }, name: 'counters_name', unique: true }],
  tickets: [
    { key: { id: 1 }, name: 'tickets_id', unique: true },
    { key: { number: 1 }, name: 'tickets_number', unique: true },
    // listTickets, newest first: unfiltered, by status, by owner, by accountable person; reports by building.
    { key: { createdAt: -1, _id: -1 }, name: 'tickets_created' },
    { key: { status: 1, createdAt: -1 }, name: 'tickets_status' },
    { key: { ownerId: 1, createdAt: -1 }, name: 'tickets_owner' },
    { key: { 'assignee.id': 1, createdAt: -1 }, name: 'tickets_assignee' },
    { key: { 'location.building': 1, createdAt: -1 }, name: 'tickets_building' },
    // A period's tickets, oldest first and page by page (listTicketsCreated), and counted (countTicketsCreated).
    { key: { createdAt: 1, id: 1 }, name: 'tickets_created_page' },
    // The revisit comments of a period (survey themes): only tickets whose revisit left one.
    {
      key: { 'revisit.at': 1, id: 1 },
      name: 'tickets_revisit_comment',
      partialFilterExpression: { 'revisit.comment': { $type: 'string' } },
    },
  ],
  jobs: [
    { key: { id: 1 }, name: 'jobs_id', unique: true },
    // scheduleJob: one unfinished job per key (`unfinishedKey` is the key while the job is pending or
    // running, and absent otherwise: a sparse index, so that it needs no partial-filter `$in`).
    { key: { unfinishedKey: 1 }, name: 'jobs_key_unfinished', unique: true, sparse: true },
    // cancelJobs
    { key: { key: 1, status: 1 }, name: 'jobs_key_status' },
    // claimJobs: due pending jobs, and running ones whose lease expired; listJobs by status.
    { key: { status: 1, dueAt: 1 }, name: 'jobs_status_due' },
    { key: { status: 1, leaseUntil: 1 }, name: 'jobs_status_lease' },
  ],
  outbox: [
    { key: { id: 1 }, name: 'outbox_id', unique: true },
    { key: { seq: 1 }, name: 'outbox_seq', unique: true },
    // claimOutbox: the oldest unfinished item of each chat; listOutbox by chat.
    { key: { status: 1, channel: 1, chatId: 1, seq: 1 }, name: 'outbox_status_chat' },
    { key: { channel: 1, chatId: 1, seq: 1 }, name: 'outbox_chat' },
  ],
  messageRefs: [
    { key: { channel: 1, chatId: 1, ref: 1 }, name: 'message_refs_ref', unique: true },
    { key: { channel: 1, chatId: 1, platformMessageId: 1 }, name: 'message_refs_message' },
  ],
  settings: [{ key: { key: 1 }, name: 'settings_key', unique: true }],
  praise: [
    { key: { id: 1 }, name: 'praise_id', unique: true },
    // listPraise and countPraise: a period's praise, newest first.
    { key: { at: -1, id: -1 }, name: 'praise_at' },
  ],
  enquiries: [
    { key: { id: 1 }, name: 'enquiries_id', unique: true },
    // listEnquiries, newest first: all or a period (and countEnquiries), by status, by owner.
    { key: { askedAt: -1, id: -1 }, name: 'enquiries_asked' },
    { key: { status: 1, askedAt: -1, id: -1 }, name: 'enquiries_status' },
    { key: { ownerId: 1, askedAt: -1, id: -1 }, name: 'enquiries_owner' },
  ],
  knowledgeEntries: [
    { key: { id: 1 }, name: 'knowledge_entries_id', unique: true },
    // listKnowledgeEntries, oldest first.
    { key: { createdAt: 1, id: 1 }, name: 'knowledge_entries_created' },
  ],
  notices: [
    { key: { id: 1 }, name: 'notices_id', unique: true },
    // listNotices, newest first: all, or by status (the notices active at an instant are published ones).
    { key: { createdAt: -1, id: -1 }, name: 'notices_created' },
    { key: { status: 1, createdAt: -1, id: -1 }, name: 'notices_status' },
    // The published notices past their validity (expiry), and those still valid.
    { key: { status: 1, validTo: 1 }, name: 'notices_status_valid' },
  ],
  noticeDeliveries: [
    // One delivery per notice and owner (a restart never sends twice); listNoticeDeliveries in owner order.
    { key: { noticeId: 1, ownerId: 1 }, name: 'notice_deliveries_owner_once', unique: true },
  ],
  surveyCampaigns: [
    { key: { id: 1 }, name: 'survey_campaigns_id', unique: true },
    // listSurveyCampaigns, newest first: all, by questionnaire, by status.
    { key: { createdAt: -1, id: -1 }, name: 'survey_campaigns_created' },
    { key: { questionnaireId: 1, createdAt: -1, id: -1 }, name: 'survey_campaigns_questionnaire' },
    { key: { status: 1, createdAt: -1, id: -1 }, name: 'survey_campaigns_status' },
  ],
  surveyInvitations: [
    // One invitation per campaign and owner; listSurveyInvitations oldest first.
    { key: { campaignId: 1, ownerId: 1 }, name: 'survey_invitations_owner_once', unique: true },
    { key: { campaignId: 1, invitedAt: 1, ownerId: 1 }, name: 'survey_invitations_order' },
    // Reminders due: by status and last contact.
    { key: { campaignId: 1, status: 1, lastContactAt: 1 }, name: 'survey_invitations_due' },
    // listSurveyInvitationsOfOwner
    { key: { ownerId: 1, invitedAt: -1, campaignId: -1 }, name: 'survey_invitations_of_owner' },
  ],
  surveyResponses: [
    { key: { campaignId: 1, ownerId: 1 }, name: 'survey_responses_owner_once', unique: true },
    { key: { id: 1 }, name: 'survey_responses_id', unique: true },
    { key: { campaignId: 1, submittedAt: 1, id: 1 }, name: 'survey_responses_submitted' },
  ],
  surveyOptOuts: [{ key: { ownerId: 1 }, name: 'survey_opt_outs_owner', unique: true }],
  sequences: [{ key: { name: 1 }, name: 'store_sequences_name', unique: true }],
};
