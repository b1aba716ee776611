/**
 * Owners' enquiries and the knowledge entries staff save from them ↔ their documents. Both are the
 * port's objects as they are; a knowledge entry's per-language maps are kept as JSON.
 */

import type { KnowledgeEntry } from '../../../../core/knowledge/entry.js';
import type { Enquiry } from '../../../../core/ports.js';
import {
  asJson,
  copyDate,
  copyDates,
  need,
  optionalDate,
  put,
  reviveDate,
  reviveDates,
  type Stored,
} from './revive.js';

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
  copyDates(enquiry, doc, ENQUIRY_DATES);
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
  reviveDates(doc, enquiry, ENQUIRY_DATES, 'enquiry');
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
