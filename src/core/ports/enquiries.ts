/**
 * Enquiries (咨询): every question an owner asks, how it was answered (by the estate's knowledge at once,
 * or by staff as a `Q012` item under its own service level), and the knowledge entries supervisors saved
 * from staff answers.
 */
import type { KnowledgeEntry, KnowledgeTopic } from '../knowledge/entry.js';
import type { Channel, Locale } from '../types.js';
import type { Period } from './tickets.js';

/**
 * - `answered`: answered from the knowledge at once (the owner may still say it did not help → `waiting`);
 * - `waiting`: in front of staff as an item, not answered yet;
 * - `staff`: a staff member answered it;
 * - `closed`: closed without an answer (the owner withdrew it, or staff closed it).
 */
export type EnquiryStatus = 'answered' | 'waiting' | 'staff' | 'closed';

export interface Enquiry {
  /** Short and typed by staff: Q001. */
  id: string;
  ownerId: string;
  channel: Channel;
  chatId: string;
  locale: Locale;
  /** The owner's words, as written. */
  text: string;
  /** The owner's building (3 in 3-2-501), when known, for the counts. */
  building?: string;
  /** `notice` when the owner asked about a notice (停水吗), else `enquiry`; `human` for 转人工. */
  kind: 'enquiry' | 'notice' | 'human';
  status: EnquiryStatus;
  /** The knowledge entries the automatic answer came from (cited ids), best first. */
  matched?: string[];
  /** The topic, from the matched entry or the one staff saved; for the monthly counts. */
  topic?: KnowledgeTopic;
  /** The owner's verdict on the automatic answer: true "是", false "不是，转人工". */
  helpful?: boolean;
  askedAt: Date;
  /** When staff must have answered (its service level), while `waiting`. */
  dueAt?: Date;
  /** Reminders sent to the staff room, escalation to supervisors. */
  remindedAt?: Date;
  escalatedAt?: Date;
  answer?: string;
  answeredBy?: { id: string; name: string };
  answeredAt?: Date;
  /** The knowledge entry a supervisor saved from the staff answer. */
  savedAs?: string;
  updatedAt: Date;
}

/** How the enquiries of a period were answered, and what they were about. */
export interface EnquiryCounts {
  total: number;
  /** Answered from the knowledge and not turned down by the owner. */
  answered: number;
  /** Answered by staff. */
  staff: number;
  /** Still waiting for staff (or closed unanswered). */
  unanswered: number;
  byTopic: Partial<Record<KnowledgeTopic, number>>;
}

export interface EnquiryStore {
  /** Inserts an enquiry; StoreError STORE_CONFLICT when its id is taken. */
  createEnquiry(enquiry: Enquiry): Promise<void>;
  /** Replaces an enquiry (by id). */
  saveEnquiry(enquiry: Enquiry): Promise<void>;
  getEnquiry(id: string): Promise<Enquiry | undefined>;
  /** Newest first (askedAt, then id, descending), at most `limit` (default 100). */
  listEnquiries(filter?: {
    statuses?: EnquiryStatus[];
    ownerId?: string;
    /** Asked in this period (from inclusive, to exclusive). */
    period?: Period;
    limit?: number;
  }): Promise<Enquiry[]>;
  /** The enquiries asked in `period`, counted by outcome and topic. */
  countEnquiries(period: Period): Promise<EnquiryCounts>;

  /** Inserts or replaces a staff-saved knowledge entry (by id). */
  saveKnowledgeEntry(entry: KnowledgeEntry): Promise<void>;
  /** Every staff-saved knowledge entry, oldest first. */
  listKnowledgeEntries(): Promise<KnowledgeEntry[]>;
  deleteKnowledgeEntry(id: string): Promise<boolean>;
}
