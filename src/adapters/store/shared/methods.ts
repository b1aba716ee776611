/**
 * What both store adapters share about the port: every method, per aggregate, with whether it only
 * reads or also writes; the facade that turns a method call into one call of a transaction runner; and
 * the guard that refuses a call on the store from inside one of its own transactions.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type AuditStore,
  type ContactStore,
  type EnquiryStore,
  type FileStore,
  type JobStore,
  type NoticeStore,
  type OutboxStore,
  type OwnerStore,
  type PraiseStore,
  type SettingStore,
  type StaffStore,
  StoreError,
  type StoreTx,
  type SurveyStore,
  type ThreadStore,
  type TicketStore,
} from '../../../core/ports.js';

/** Whether a port method only reads (SQLite: a deferred transaction) or writes (the write lock). */
export type Access = 'read' | 'write';

export type Method = keyof StoreTx;

/** A port interface with every method synchronous (what one SQLite connection does inside a transaction). */
export type Sync<P> = {
  [K in keyof P]: P[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

const OWNERS = {
  getOwner: 'read',
  findOwnerByIdentity: 'read',
  saveOwner: 'write',
  listOwners: 'read',
  listOwnersAfter: 'read',
  findOwnersByPhone: 'read',
} as const satisfies Record<keyof OwnerStore, Access>;

const STAFF = {
  getStaff: 'read',
  findStaff: 'read',
  saveStaff: 'write',
  listStaff: 'read',
} as const satisfies Record<keyof StaffStore, Access>;

const THREADS = {
  markInbound: 'write',
  getThread: 'read',
  saveThread: 'write',
  logMessage: 'write',
  listMessages: 'read',
  pruneMessages: 'write',
} as const satisfies Record<keyof ThreadStore, Access>;

const TICKETS = {
  getTicket: 'read',
  getTicketByNumber: 'read',
  saveTicket: 'write',
  listTickets: 'read',
  listTicketsCreated: 'read',
  countTicketsCreated: 'read',
  listRevisitComments: 'read',
} as const satisfies Record<keyof TicketStore, Access>;

const JOBS = {
  scheduleJob: 'write',
  cancelJobs: 'write',
  getJob: 'read',
  claimJobs: 'write',
  completeJob: 'write',
  retryJob: 'write',
  failJob: 'write',
  releaseJob: 'write',
  listJobs: 'read',
} as const satisfies Record<keyof JobStore, Access>;

const OUTBOX = {
  enqueue: 'write',
  claimOutbox: 'write',
  renewOutboxLeases: 'write',
  markOutboxSent: 'write',
  markOutboxRetry: 'write',
  markOutboxDead: 'write',
  listOutbox: 'read',
  setMessageRef: 'write',
  getMessageRef: 'read',
  findRefByMessage: 'read',
  pruneDeliveredOutbox: 'write',
} as const satisfies Record<keyof OutboxStore, Access>;

const SURVEYS = {
  createSurveyCampaign: 'write',
  saveSurveyCampaign: 'write',
  getSurveyCampaign: 'read',
  listSurveyCampaigns: 'read',
  addSurveyInvitation: 'write',
  getSurveyInvitation: 'read',
  updateSurveyInvitation: 'write',
  listSurveyInvitations: 'read',
  listSurveyInvitationsOfOwner: 'read',
  addSurveyResponse: 'write',
  getSurveyResponse: 'read',
  listSurveyResponses: 'read',
  countSurveyResponses: 'read',
  listSurveyCampaignsWithCounts: 'read',
  setSurveyOptOut: 'write',
  clearSurveyOptOut: 'write',
  getSurveyOptOut: 'read',
  listSurveyOptOuts: 'read',
} as const satisfies Record<keyof SurveyStore, Access>;

const SETTINGS = {
  nextSequence: 'write',
  getSetting: 'read',
  setSetting: 'write',
} as const satisfies Record<keyof SettingStore, Access>;

const PRAISE = {
  addPraise: 'write',
  listPraise: 'read',
  countPraise: 'read',
} as const satisfies Record<keyof PraiseStore, Access>;

const ENQUIRIES = {
  createEnquiry: 'write',
  saveEnquiry: 'write',
  getEnquiry: 'read',
  listEnquiries: 'read',
  countEnquiries: 'read',
  saveKnowledgeEntry: 'write',
  listKnowledgeEntries: 'read',
  deleteKnowledgeEntry: 'write',
} as const satisfies Record<keyof EnquiryStore, Access>;

const NOTICES = {
  createNotice: 'write',
  saveNotice: 'write',
  getNotice: 'read',
  listNotices: 'read',
  addNoticeDelivery: 'write',
  getNoticeDelivery: 'read',
  saveNoticeDelivery: 'write',
  listNoticeDeliveries: 'read',
  countNoticeDeliveries: 'read',
} as const satisfies Record<keyof NoticeStore, Access>;

const CONTACTS = {
  addContact: 'write',
  listContacts: 'read',
} as const satisfies Record<keyof ContactStore, Access>;
const AUDIT = {
  appendAudit: 'write',
  listAudit: 'read',
  pruneAudit: 'write',
} as const satisfies Record<keyof AuditStore, Access>;

const FILES = {
  saveFile: 'write',
  getFiles: 'read',
  deleteFiles: 'write',
  pruneFiles: 'write',
} as const satisfies Record<keyof FileStore, Access>;

/** The port's methods by aggregate, as each adapter composes its modules. */
export const AGGREGATES = {
  owners: OWNERS,
  staff: STAFF,
  threads: THREADS,
  tickets: TICKETS,
  jobs: JOBS,
  outbox: OUTBOX,
  surveys: SURVEYS,
  settings: SETTINGS,
  praise: PRAISE,
  enquiries: ENQUIRIES,
  notices: NOTICES,
  contacts: CONTACTS,
  audit: AUDIT,
  files: FILES,
} as const;

/** Every method of the port, composed per aggregate (the compiler checks that none is missing). */
export const ACCESS: Readonly<Record<Method, Access>> = {
  ...OWNERS,
  ...STAFF,
  ...THREADS,
  ...TICKETS,
  ...JOBS,
  ...OUTBOX,
  ...SURVEYS,
  ...SETTINGS,
  ...PRAISE,
  ...ENQUIRIES,
  ...NOTICES,
  ...CONTACTS,
  ...AUDIT,
  ...FILES,
};

export const METHODS = Object.keys(ACCESS) as Method[];

/** Builds a StoreTx whose every method forwards to `call`. */
export function facade(call: (method: Method, args: unknown[]) => Promise<unknown>): StoreTx {
  const tx: Partial<Record<Method, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of METHODS) tx[method] = (...args: unknown[]) => call(method, args);
  return tx as StoreTx;
}

/** Calls `method` on `target` (the port's methods, or their synchronous twins). */
export function invoke<T>(target: { [K in Method]: unknown }, method: Method, args: unknown[]): T {
  return (target[method] as (...a: unknown[]) => T).apply(target, args);
}

/** One transaction in progress: its store (whatever identifies it) and whether `fn` is still running. */
interface Scope {
  owner: unknown;
  active: boolean;
}

const insideTransaction = new AsyncLocalStorage<Scope>();

/**
 * Whether calls on the store from inside its own transactions are caught (see {@link TransactionGuard}).
 * Catching them needs the async context of every transaction. From Node 24 on, AsyncLocalStorage rides on
 * V8's continuation frames and costs nothing to speak of (a loop of two million awaits: 124 ms before a
 * store is used, 107 ms after); on Node 20 it hooks every promise the process makes (110 -> 276 ms; 6% of
 * the bot's time under load), so there it is on only under the tests (vitest) and with NODE_ENV development
 * or test. A reentrant call is a programming error the suite, run with the guard on, catches on every path
 * it drives; uncaught, it would wait for ever.
 */
export function catchesReentry(nodeVersion: string, env: Record<string, string | undefined>): boolean {
  return (
    Number(nodeVersion.split('.')[0]) >= 24 ||
    env.VITEST !== undefined ||
    env.NODE_ENV === 'test' ||
    env.NODE_ENV === 'development'
  );
}

/** {@link catchesReentry} for this process. */
export const CATCH_REENTRY = catchesReentry(process.versions.node, process.env);

/**
 * Marks the async context of a transaction of `owner`, so that a call on the same store from inside it
 * is refused (it would wait for the transaction it is part of) and its `tx` refuses work once it ended.
 * The refusal of calls from inside works only where {@link CATCH_REENTRY} (or `catchReentry`) holds.
 */
export class TransactionGuard {
  constructor(
    private readonly owner: unknown,
    private readonly catchReentry = CATCH_REENTRY,
  ) {}

  /** Runs `fn` as the body of a transaction; `scope.active` turns false when it settles. */
  run<T>(fn: (scope: { readonly active: boolean }) => Promise<T>): Promise<T> {
    const scope: Scope = { owner: this.owner, active: true };
    const body = this.catchReentry ? insideTransaction.run(scope, () => fn(scope)) : fn(scope);
    return body.finally(() => {
      scope.active = false;
    });
  }

  /** Throws STORE_CONFLICT when called from inside one of this store's transactions. */
  refuseReentry(method: string): void {
    const scope = insideTransaction.getStore();
    if (scope?.active && scope.owner === this.owner) {
      throw new StoreError(
        'STORE_CONFLICT',
        `${method} called on the store from inside one of its transactions: use the tx passed to the callback`,
      );
    }
  }
}

/** Throws STORE_UNAVAILABLE for a method called on a transaction whose callback has settled. */
export function assertActive(scope: { readonly active: boolean }, method: string): void {
  if (!scope.active) throw new StoreError('STORE_UNAVAILABLE', `${method} called on a transaction that has ended`);
}
