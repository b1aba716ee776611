/**
 * What `npm run migrate` copies and what it needs to copy it: the collections (named as SQLite tables and
 * MongoDB collections), what it reads from the source besides the Store port (`SourceReader`), what it
 * does to the target besides the port (`TargetAdmin`), and the report it returns. Apart from the copy and
 * the stores so that any pair of stores (and the tests' fakes) can be given to `migrate()`.
 */
import {
  COLLECTION_NAMES as STORE_COLLECTION_NAMES,
  STORE_COLLECTIONS,
} from '../../adapters/store/mongo/connection.js';
import type { Job, OutboxItem } from '../../core/ports.js';
import type { Channel } from '../../core/types.js';

const OUTBOX_AT = STORE_COLLECTIONS.indexOf('outbox');

/**
 * Every collection the migration copies and counts, in the order it copies them: the store's, then the
 * contact records and the audit log, which keep their collections apart from the store's (mongo/contacts.ts,
 * mongo/audit.ts). Outbox files go just before the outbox: every outbox item is copied, pending ones
 * included, so the files they name must come too, and first, so that no pending item in the target
 * names a file it lacks. All files are copied, not only the pending items' (a sent item's not yet
 * deleted, a dead letter's): the counts compare whole tables, and retention removes those in the target
 * as it would have in the source.
 */
export const COLLECTIONS = [
  ...STORE_COLLECTIONS.slice(0, OUTBOX_AT),
  'outboxFiles',
  ...STORE_COLLECTIONS.slice(OUTBOX_AT),
  'contacts',
  'auditLog',
] as const;
export type Collection = (typeof COLLECTIONS)[number];
export type Counts = Record<Collection, number>;

/**
 * How the report names each collection (its table in SQLite and its collection in MongoDB). The three
 * kept apart from the store's are named here as literals: their modules load the MongoDB driver, which
 * this command loads only for a MongoDB target (the migrate tests check the names against them).
 */
export const COLLECTION_NAMES: Record<Collection, string> = {
  ...STORE_COLLECTION_NAMES,
  outboxFiles: 'outbox_files',
  contacts: 'contacts',
  auditLog: 'audit_log',
};

export interface ChatKey {
  channel: Channel;
  chatId: string;
}

/** What the migration reads from the source besides the port: what the port has no way to list. */
export interface SourceReader {
  counts(): Promise<Counts>;
  /** Every chat with a thread. */
  threadKeys(): Promise<ChatKey[]>;
  /** Every chat with a message log, in the order of its first entry. */
  messageChats(): Promise<ChatKey[]>;
  inboundKeys(): Promise<{ channel: Channel; messageId: string; at: Date }[]>;
  counters(): Promise<{ name: string; value: number }[]>;
  /** In the order they were first set (which `findRefByMessage` depends on). */
  messageRefs(): Promise<{ channel: Channel; chatId: string; ref: string; platformMessageId: string }[]>;
  settings(): Promise<{ key: string; value: string }[]>;
  /** Every campaign id that has a campaign, invitations or responses. */
  surveyCampaignIds(): Promise<string[]>;
  /** Every notice id that has a notice or deliveries. */
  noticeIds(): Promise<string[]>;
  /** Every stored outbox file's id, oldest first (the port reads files only by id). */
  fileIds(): Promise<string[]>;
}

/** What the migration does to the target besides the port: counting, and writing store-owned state. */
export interface TargetAdmin {
  counts(): Promise<Counts>;
  hasInbound(channel: Channel, messageId: string): Promise<boolean>;
  counterValue(name: string): Promise<number | undefined>;
  /** Sets the counter to `value` unless it is at least that already. */
  raiseCounter(name: string, value: number): Promise<void>;
  /** Inserts or replaces the job with exactly these fields (status, attempts and lease included). */
  putJob(job: Job): Promise<void>;
  /** Inserts or replaces the item with these fields; a new item goes after every item already there. */
  putOutbox(item: OutboxItem): Promise<void>;
}

export interface MigrationRow {
  collection: Collection;
  /** Records in the source. */
  source: number;
  /** Records in the target (after the copy, or as they are in a dry run). */
  target: number;
  /** Records written (or, in a dry run, that would be). */
  written: number;
}

export interface MigrationReport {
  dryRun: boolean;
  rows: MigrationRow[];
  /** Why the target does not match the source; empty when it does. */
  problems: string[];
}
