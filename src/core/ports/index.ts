/**
 * Ports: the interfaces the core and the application depend on. Adapters (SQLite, MongoDB, the
 * channels) implement them; nothing here names a database or a platform library.
 *
 * The store's port is composed from one interface per aggregate, one file each (owners, staff, threads,
 * tickets, jobs, outbox, surveys, settings, praise, enquiries, notices, contacts, files, audit); every store adapter is
 * split the same way.
 */
import type { AuditStore } from './audit.js';
import type { ContactStore } from './contacts.js';
import type { EnquiryStore } from './enquiries.js';
import type { FileStore } from './files.js';
import type { JobStore } from './jobs.js';
import type { NoticeStore } from './notices.js';
import type { OutboxStore } from './outbox.js';
import type { OwnerStore } from './owners.js';
import type { PraiseStore } from './praise.js';
import type { SettingStore } from './settings.js';
import type { StaffStore } from './staff.js';
import type { SurveyStore } from './surveys.js';
import type { ThreadStore } from './threads.js';
import type { TicketStore } from './tickets.js';

export * from './audit.js';
export * from './charts.js';
export * from './clock.js';
export * from './contacts.js';
export * from './enquiries.js';
export * from './errors.js';
export * from './files.js';
export * from './jobs.js';
export * from './notices.js';
export * from './outbox.js';
export * from './owners.js';
export * from './praise.js';
export * from './settings.js';
export * from './staff.js';
export * from './surveys.js';
export * from './threads.js';
export * from './tickets.js';

/** Everything one transaction can read and write. All methods are async so any database can implement them. */
export interface StoreTx
  extends OwnerStore,
    StaffStore,
    ThreadStore,
    TicketStore,
    JobStore,
    OutboxStore,
    SurveyStore,
    SettingStore,
    PraiseStore,
    EnquiryStore,
    NoticeStore,
    ContactStore,
    AuditStore,
    FileStore {}

/** The store: every StoreTx method runs in its own transaction when called directly. */
export interface Store extends StoreTx {
  /** Runs `fn` in one transaction: all of its writes happen, or none. Serialised with other transactions. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
