/**
 * Documents ↔ domain objects, one explicit pair of functions per type, pure and free of mongoose; one
 * module per aggregate under ./mapping/ (re-exported here so that importers need not change).
 *
 * Documents keep instants as BSON dates and the shapes the port treats as opaque JSON (conversation
 * state, message bodies, job payloads, outbound actions, timeline data) as they would read back from
 * JSON — `undefined` dropped, dates as ISO strings — exactly as the SQLite store returns them. Reading
 * copies only the fields the domain type has, so `_id`, `__v` and the store's own fields (sequence
 * numbers, identity keys) never cross the port; a field stored as `null` reads as absent.
 */

export {
  type EnquiryDoc,
  enquiryFromDoc,
  enquiryToDoc,
  type KnowledgeEntryDoc,
  knowledgeEntryFromDoc,
  knowledgeEntryToDoc,
} from './mapping/enquiries.js';
export {
  deliveryFromDoc,
  deliveryToDoc,
  type NoticeDeliveryDoc,
  type NoticeDoc,
  noticeFromDoc,
  noticeToDoc,
} from './mapping/notices.js';
export {
  identityKey,
  type OwnerDoc,
  ownerFromDoc,
  ownerToDoc,
  type StaffDoc,
  staffFromDoc,
  staffToDoc,
} from './mapping/owners.js';
export type { CounterDoc, InboundDoc, PraiseDoc, SettingDoc } from './mapping/plain.js';
export {
  type JobDoc,
  jobFromDoc,
  jobToDoc,
  type MessageRefDoc,
  type OutboxDoc,
  outboxFromDoc,
  outboxToDoc,
} from './mapping/queues.js';
export type { Stored } from './mapping/revive.js';
export {
  campaignFromDoc,
  campaignToDoc,
  invitationFromDoc,
  invitationToDoc,
  optOutFromDoc,
  responseFromDoc,
  responseToDoc,
  type SurveyCampaignDoc,
  type SurveyInvitationDoc,
  type SurveyOptOutDoc,
  type SurveyResponseDoc,
} from './mapping/surveys.js';
export {
  type MessageDoc,
  messageFromDoc,
  messageToDoc,
  type ThreadDoc,
  threadFromDoc,
  threadToDoc,
} from './mapping/threads.js';
export { type TicketDoc, ticketFromDoc, ticketToDoc } from './mapping/tickets.js';
