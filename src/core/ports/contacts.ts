/**
 * Contact records (domain.md, communication): the service centre's planned contact with owners and the
 * others it deals with — a visit, a revisit call, a meeting — kept with when and where it happened, who
 * was met (and which kind of customer they are), which staff member went, what was said and the result,
 * so that they can be reviewed by owner and by month.
 */
import type { Period } from './tickets.js';

/** How the contact was made: 走访 (a visit), 回访 (a follow-up), 座谈 (a meeting), 电话 (a call), other. */
export const CONTACT_KINDS = ['visit', 'revisit', 'meeting', 'phone', 'other'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** The kind of customer met, which records are filed by (domain.md: who talks to whom). */
export const CONTACT_PARTIES = ['owner', 'committee', 'developer', 'contractor', 'government', 'other'] as const;
export type ContactParty = (typeof CONTACT_PARTIES)[number];

/** One contact, as the staff member who made it recorded it. */
export interface ContactRecord {
  id: string;
  kind: ContactKind;
  /** When the contact took place (UTC). */
  at: Date;
  /** Where it took place, in words (a flat, the office, the committee's room). */
  place?: string;
  party: ContactParty;
  /** The person or body met: an owner's name, 业主委员会, a company, an office. */
  who: string;
  /** The owner it was with, when a known owner (found by phone). */
  ownerId?: string;
  /** Their phone number, E.164, when one was given. */
  phone?: string;
  /** The staff member who made the contact. */
  staff: { id: string; name: string };
  /** What was said. */
  said: string;
  /** The result (agreed, to follow up …), when there is one. */
  result?: string;
  /** When it was recorded. */
  recordedAt: Date;
}

/** Which records to list: any of a period, an owner, a phone number or a name (all given must match). */
export interface ContactQuery {
  period?: Period;
  ownerId?: string;
  phone?: string;
  who?: string;
  /** Default 50. */
  limit?: number;
}

export interface ContactStore {
  /** Records one contact (a record with the same id is left as it was). */
  addContact(record: ContactRecord): Promise<void>;
  /** The records that match, newest first (contact time, then id); indexed by time, owner, phone and name. */
  listContacts(query: ContactQuery): Promise<ContactRecord[]>;
}
