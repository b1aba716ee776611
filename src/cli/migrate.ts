/**
 * `npm run migrate -- --from sqlite:<path> --to mongodb://…` copies an embedded deployment (the SQLite
 * file under DATA_DIR) into MongoDB, or into another SQLite file with `--to sqlite:<path>`.
 *
 *   tsx src/cli/migrate.ts --from sqlite:data/residesk.db --to "$MONGODB_URI" [--dry-run]
 *
 * Everything is copied by its natural key (an owner's id, a chat, a ticket's id, a job's id, an outbox
 * item's id, a ref, a setting's key, a platform message id, a counter's name, a campaign and owner, a
 * praise's id, an enquiry's id, a knowledge entry's id, a notice's id, a notice and owner):
 * what the target has already is left alone, so running it twice changes nothing and an interrupted run
 * can simply be run again. Jobs and outbox items keep their status, attempts and lease; counters never
 * go down, so ticket numbers continue where the source stopped. Stop the bot while it runs.
 *
 * At the end it prints the number of records per collection on both sides and exits 1 when any differs
 * (2 for a usage error or a configuration it cannot read). It waits for a MongoDB target as long as the
 * bot would (MONGODB_SERVER_SELECTION_TIMEOUT, from the environment or ./.env). `--dry-run` writes
 * nothing (not even indexes) and prints what it would copy.
 *
 * The copy goes through the Store port wherever the port can read and write; what the port cannot list
 * (chats, the message log's chats, dedupe keys, counters, message refs, settings) is read from the SQLite
 * file directly, read-only, and what only a store may write (job and outbox state, counters) goes
 * through the target's maintenance operations. `migrate()` takes these as arguments, so it runs against
 * any pair of stores.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { redactUri, STORE_COLLECTIONS } from '../adapters/store/mongo/connection.js';
import { openSqliteStore } from '../adapters/store/sqlite/store.js';
import { processEnv, readConfig } from '../bootstrap.js';
import type { Job, MessageLogEntry, OutboxItem, Store, StoreTx } from '../core/ports.js';
import { StoreError } from '../core/ports.js';
import type { Channel } from '../core/types.js';
import { StartupError } from '../startup-error.js';

// ---------------------------------------------------------------------------------------------------
// What is copied, and what the copy needs besides the port.

/** Every collection the migration copies and counts, in the order it copies them. */
export const COLLECTIONS = STORE_COLLECTIONS;
export type Collection = (typeof COLLECTIONS)[number];
export type Counts = Record<Collection, number>;

/** How the report names each collection (its table in SQLite and its collection in MongoDB). */
export const COLLECTION_NAMES: Record<Collection, string> = {
  owners: 'owners',
  staff: 'staff',
  threads: 'threads',
  messages: 'message_log',
  tickets: 'tickets',
  jobs: 'jobs',
  outbox: 'outbox',
  messageRefs: 'message_refs',
  settings: 'settings',
  inbound: 'inbound_seen',
  counters: 'counters',
  surveyCampaigns: 'survey_campaigns',
  surveyInvitations: 'survey_invitations',
  surveyResponses: 'survey_responses',
  surveyOptOuts: 'survey_opt_outs',
  praise: 'praise',
  enquiries: 'enquiries',
  knowledgeEntries: 'knowledge_entries',
  notices: 'notices',
  noticeDeliveries: 'notice_deliveries',
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

// ---------------------------------------------------------------------------------------------------
// The copy.

/** Reads everything; the port has no "all", so a limit past any real table. */
const ALL = Number.MAX_SAFE_INTEGER;
/** Every instant a store can hold, for the port's reads by period. */
const ALL_TIME = { from: new Date(-8.64e15), to: new Date(8.64e15) };
/** Port writes per target transaction. */
const BATCH = 200;

/** A value as JSON with object keys sorted: equal for equal records, whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Runs `write` for every item, `BATCH` at a time, each batch in one target transaction. */
async function inBatches<T>(target: Store, items: readonly T[], write: (tx: StoreTx, item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += BATCH) {
    const batch = items.slice(i, i + BATCH);
    await target.transaction(async (tx) => {
      for (const item of batch) await write(tx, item);
    });
  }
}

/**
 * Copies everything from `source` (with `reader`) into `target` (with `admin`), writing only what the
 * target lacks or holds differently, then counts both sides. With `dryRun` it writes nothing and
 * reports what it would write. `progress` hears one line per collection.
 */
export async function migrate(args: {
  source: Store;
  reader: SourceReader;
  target: Store;
  admin: TargetAdmin;
  dryRun: boolean;
  progress?: (line: string) => void;
}): Promise<MigrationReport> {
  const { source, reader, target, admin, dryRun } = args;
  const written = Object.fromEntries(COLLECTIONS.map((c) => [c, 0])) as Counts;
  const problems: string[] = [];
  const step = async <T>(collection: Collection, pending: T[], write: (items: T[]) => Promise<void>) => {
    written[collection] = pending.length;
    if (!dryRun && pending.length > 0) await write(pending);
    args.progress?.(`${COLLECTION_NAMES[collection]}: ${pending.length} ${dryRun ? 'to write' : 'written'}`);
  };

  const owners = [];
  for (const owner of await source.listOwners()) {
    if (!same(await target.getOwner(owner.id), owner)) owners.push(owner);
  }
  await step('owners', owners, (items) => inBatches(target, items, (tx, owner) => tx.saveOwner(owner)));

  const staff = [];
  for (const member of await source.listStaff()) {
    if (!same(await target.getStaff(member.id), member)) staff.push(member);
  }
  await step('staff', staff, (items) => inBatches(target, items, (tx, member) => tx.saveStaff(member)));

  const threads = [];
  for (const { channel, chatId } of await reader.threadKeys()) {
    const thread = await source.getThread(channel, chatId);
    if (thread && !same(await target.getThread(channel, chatId), thread)) threads.push(thread);
  }
  await step('threads', threads, (items) => inBatches(target, items, (tx, thread) => tx.saveThread(thread)));

  // The log has no key: per chat, copy the entries the target lacks (as a multiset), in source order.
  const messages: MessageLogEntry[] = [];
  for (const { channel, chatId } of await reader.messageChats()) {
    const there = new Map<string, number>();
    for (const entry of await target.listMessages(channel, chatId, ALL)) {
      const key = canonical(entry);
      there.set(key, (there.get(key) ?? 0) + 1);
    }
    for (const entry of await source.listMessages(channel, chatId, ALL)) {
      const key = canonical(entry);
      const left = there.get(key) ?? 0;
      if (left > 0) there.set(key, left - 1);
      else messages.push(entry);
    }
  }
  await step('messages', messages, (items) => inBatches(target, items, (tx, entry) => tx.logMessage(entry)));

  // Oldest first, so that tickets created at the same instant keep their order.
  const tickets = [];
  for (const ticket of (await source.listTickets({ limit: ALL })).reverse()) {
    if (!same(await target.getTicket(ticket.id), ticket)) tickets.push(ticket);
  }
  await step('tickets', tickets, (items) => inBatches(target, items, (tx, ticket) => tx.saveTicket(ticket)));

  const jobs = [];
  for (const job of await source.listJobs({})) {
    if (!same(await target.getJob(job.id), job)) jobs.push(job);
  }
  await step('jobs', jobs, async (items) => {
    for (const job of items) await admin.putJob(job);
  });

  // Compared without seq: the target numbers items its own way, in the same order.
  const outboxThere = new Map((await target.listOutbox({})).map(({ seq: _seq, ...item }) => [item.id, item]));
  const outbox = (await source.listOutbox({})).filter(
    ({ seq: _seq, ...item }) => !same(outboxThere.get(item.id), item),
  );
  await step('outbox', outbox, async (items) => {
    for (const item of items) await admin.putOutbox(item);
  });

  const refs = [];
  for (const ref of await reader.messageRefs()) {
    if ((await target.getMessageRef(ref.channel, ref.chatId, ref.ref)) !== ref.platformMessageId) refs.push(ref);
  }
  await step('messageRefs', refs, (items) =>
    inBatches(target, items, (tx, r) => tx.setMessageRef(r.channel, r.chatId, r.ref, r.platformMessageId)),
  );

  const settings = [];
  for (const setting of await reader.settings()) {
    if ((await target.getSetting(setting.key)) !== setting.value) settings.push(setting);
  }
  await step('settings', settings, (items) => inBatches(target, items, (tx, s) => tx.setSetting(s.key, s.value)));

  const inbound = [];
  for (const key of await reader.inboundKeys()) {
    if (!(await admin.hasInbound(key.channel, key.messageId))) inbound.push(key);
  }
  await step('inbound', inbound, (items) =>
    inBatches(target, items, (tx, key) => tx.markInbound(key.channel, key.messageId, key.at)),
  );

  const counters = [];
  for (const counter of await reader.counters()) {
    const there = await admin.counterValue(counter.name);
    if (there === undefined || there < counter.value) counters.push(counter);
  }
  await step('counters', counters, async (items) => {
    for (const counter of items) await admin.raiseCounter(counter.name, counter.value);
  });

  const campaignIds = await reader.surveyCampaignIds();
  const campaigns = [];
  for (const campaign of await source.listSurveyCampaigns()) {
    if (!same(await target.getSurveyCampaign(campaign.id), campaign)) campaigns.push(campaign);
  }
  await step('surveyCampaigns', campaigns, (items) =>
    inBatches(target, items, (tx, campaign) => tx.saveSurveyCampaign(campaign)),
  );

  const invitations = [];
  const responses = [];
  for (const campaignId of campaignIds) {
    for (const invitation of await source.listSurveyInvitations(campaignId)) {
      const there = await target.getSurveyInvitation(campaignId, invitation.ownerId);
      if (!same(there, invitation)) invitations.push({ invitation, exists: there !== undefined });
    }
    for (const response of await source.listSurveyResponses(campaignId)) {
      const there = await target.getSurveyResponse(campaignId, response.ownerId);
      if (there === undefined) responses.push(response);
      else if (!same(there, response)) {
        // Responses are written once; the port cannot replace one.
        problems.push(`survey_responses: the target holds another response of ${response.ownerId} to ${campaignId}`);
      }
    }
  }
  await step('surveyInvitations', invitations, (items) =>
    inBatches(target, items, async (tx, { invitation, exists }) => {
      if (exists) await tx.updateSurveyInvitation(invitation);
      else await tx.addSurveyInvitation(invitation);
    }),
  );
  await step('surveyResponses', responses, (items) =>
    inBatches(target, items, (tx, response) => tx.addSurveyResponse(response)),
  );

  const optOuts = [];
  for (const ownerId of await source.listSurveyOptOuts()) {
    const at = await source.getSurveyOptOut(ownerId);
    const there = await target.getSurveyOptOut(ownerId);
    if (at && there?.getTime() !== at.getTime()) optOuts.push({ ownerId, at, exists: there !== undefined });
  }
  await step('surveyOptOuts', optOuts, (items) =>
    inBatches(target, items, async (tx, { ownerId, at, exists }) => {
      // The port keeps the first instant: forget the target's before setting the source's.
      if (exists) await tx.clearSurveyOptOut(ownerId);
      await tx.setSurveyOptOut(ownerId, at);
    }),
  );

  // Praise is written once by its id: what the target lacks is added, a different one under the same id reported.
  const praiseThere = new Map((await target.listPraise(ALL_TIME, ALL)).map((p) => [p.id, p]));
  const praise = [];
  for (const item of (await source.listPraise(ALL_TIME, ALL)).reverse()) {
    const there = praiseThere.get(item.id);
    if (there === undefined) praise.push(item);
    else if (!same(there, item)) problems.push(`praise: the target holds another praise under the id ${item.id}`);
  }
  await step('praise', praise, (items) => inBatches(target, items, (tx, item) => tx.addPraise(item)));

  // Oldest first, as they were asked.
  const enquiries = [];
  for (const enquiry of (await source.listEnquiries({ limit: ALL })).reverse()) {
    if (!same(await target.getEnquiry(enquiry.id), enquiry)) enquiries.push(enquiry);
  }
  await step('enquiries', enquiries, (items) => inBatches(target, items, (tx, item) => tx.saveEnquiry(item)));

  const entriesThere = new Map((await target.listKnowledgeEntries()).map((entry) => [entry.id, entry]));
  const entries = (await source.listKnowledgeEntries()).filter((entry) => !same(entriesThere.get(entry.id), entry));
  await step('knowledgeEntries', entries, (items) =>
    inBatches(target, items, (tx, entry) => tx.saveKnowledgeEntry(entry)),
  );

  const notices = [];
  for (const notice of (await source.listNotices({ limit: ALL })).reverse()) {
    if (!same(await target.getNotice(notice.id), notice)) notices.push(notice);
  }
  await step('notices', notices, (items) => inBatches(target, items, (tx, notice) => tx.saveNotice(notice)));

  // One delivery per notice and owner: a missing one is added, one read (or reminded) since is replaced.
  const deliveries = [];
  for (const noticeId of await reader.noticeIds()) {
    for (const delivery of await source.listNoticeDeliveries(noticeId, { limit: ALL })) {
      if (!same(await target.getNoticeDelivery(noticeId, delivery.ownerId), delivery)) deliveries.push(delivery);
    }
  }
  await step('noticeDeliveries', deliveries, (items) =>
    inBatches(target, items, (tx, delivery) => tx.saveNoticeDelivery(delivery)),
  );

  const [sourceCounts, targetCounts] = [await reader.counts(), await admin.counts()];
  const rows = COLLECTIONS.map((collection) => ({
    collection,
    source: sourceCounts[collection],
    target: targetCounts[collection],
    written: written[collection],
  }));
  if (!dryRun) {
    const differing = rows.filter((row) => row.source !== row.target);
    if (differing.length > 0) {
      problems.unshift(`counts differ for ${differing.map((row) => COLLECTION_NAMES[row.collection]).join(', ')}`);
    }
  }
  return { dryRun, rows, problems };
}

/** The report as a table, one collection a line, then the verdict. */
export function formatReport(report: MigrationReport): string {
  const head = ['collection', 'source', 'target', report.dryRun ? 'to write' : 'written'];
  const body = report.rows.map((row) => [
    COLLECTION_NAMES[row.collection],
    String(row.source),
    String(row.target),
    String(row.written),
  ]);
  const widths = head.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const lines = [line(head), ...body.map(line)];
  if (report.dryRun) lines.push('dry run: nothing was written.');
  else if (report.problems.length === 0) lines.push('counts match on both sides.');
  else lines.push(...report.problems.map((problem) => `MISMATCH: ${problem}`));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// SQLite files, read directly (the SQL of this command stays in this file).

/** Where each collection lives in a SQLite file written by the SQLite store (the report uses the same names). */
const TABLES: Record<Collection, string> = COLLECTION_NAMES;

/**
 * A SQLite store's file opened on a connection of its own: read-only as a source (what the port cannot
 * list), writable as a target (what only the store may write). Open the store on it first, so that the
 * schema is there.
 */
export class SqliteFile implements SourceReader, TargetAdmin {
  private readonly db: Database.Database;

  constructor(path: string, opts: { readonly: boolean }) {
    this.db = new Database(path, { readonly: opts.readonly, fileMustExist: true, timeout: 5000 });
  }

  close(): void {
    this.db.close();
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  async counts(): Promise<Counts> {
    const counts = {} as Counts;
    for (const collection of COLLECTIONS) {
      const table = TABLES[collection];
      counts[collection] = this.hasTable(table)
        ? (this.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0)
        : 0;
    }
    return counts;
  }

  async threadKeys(): Promise<ChatKey[]> {
    return this.db
      .prepare<[], { channel: Channel; chatId: string }>(
        'SELECT channel, chat_id AS chatId FROM threads ORDER BY rowid',
      )
      .all();
  }

  async messageChats(): Promise<ChatKey[]> {
    return this.db
      .prepare<[], { channel: Channel; chatId: string }>(
        'SELECT channel, chat_id AS chatId FROM message_log GROUP BY channel, chat_id ORDER BY min(id)',
      )
      .all();
  }

  async inboundKeys(): Promise<{ channel: Channel; messageId: string; at: Date }[]> {
    return this.db
      .prepare<[], { channel: Channel; messageId: string; at: number }>(
        'SELECT channel, message_id AS messageId, at FROM inbound_seen ORDER BY at, channel, message_id',
      )
      .all()
      .map((row) => ({ ...row, at: new Date(row.at) }));
  }

  async counters(): Promise<{ name: string; value: number }[]> {
    return this.db.prepare<[], { name: string; value: number }>('SELECT name, value FROM counters ORDER BY name').all();
  }

  async messageRefs(): Promise<{ channel: Channel; chatId: string; ref: string; platformMessageId: string }[]> {
    return this.db
      .prepare<[], { channel: Channel; chatId: string; ref: string; platformMessageId: string }>(
        `SELECT channel, chat_id AS chatId, ref, platform_message_id AS platformMessageId
           FROM message_refs ORDER BY rowid`,
      )
      .all();
  }

  async settings(): Promise<{ key: string; value: string }[]> {
    return this.db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key').all();
  }

  async surveyCampaignIds(): Promise<string[]> {
    const sources = [
      ['survey_campaigns', 'id'],
      ['survey_invitations', 'campaign_id'],
      ['survey_responses', 'campaign_id'],
    ].filter(([table]) => this.hasTable(table ?? ''));
    if (sources.length === 0) return [];
    const union = sources.map(([table, column]) => `SELECT ${column} AS id FROM ${table}`).join(' UNION ');
    return this.db.prepare<[], string>(`SELECT id FROM (${union}) ORDER BY id`).pluck().all();
  }

  async noticeIds(): Promise<string[]> {
    const sources = [
      ['notices', 'id'],
      ['notice_deliveries', 'notice_id'],
    ].filter(([table]) => this.hasTable(table ?? ''));
    if (sources.length === 0) return [];
    const union = sources.map(([table, column]) => `SELECT ${column} AS id FROM ${table}`).join(' UNION ');
    return this.db.prepare<[], string>(`SELECT id FROM (${union}) ORDER BY id`).pluck().all();
  }

  async hasInbound(channel: Channel, messageId: string): Promise<boolean> {
    return (
      this.db.prepare('SELECT 1 FROM inbound_seen WHERE channel = ? AND message_id = ?').get(channel, messageId) !==
      undefined
    );
  }

  async counterValue(name: string): Promise<number | undefined> {
    return this.db.prepare<[string], number>('SELECT value FROM counters WHERE name = ?').pluck().get(name);
  }

  async raiseCounter(name: string, value: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO counters (name, value) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`,
      )
      .run(name, value);
  }

  async putJob(job: Job): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO jobs (id, type, status, due_at, key, payload, attempts, lease_owner, lease_until, last_error,
             created_at, updated_at)
           VALUES (@id, @type, @status, @due_at, @key, @payload, @attempts, @lease_owner, @lease_until, @last_error,
             @created_at, @updated_at)
           ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status, due_at = excluded.due_at,
             key = excluded.key, payload = excluded.payload, attempts = excluded.attempts,
             lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, last_error = excluded.last_error,
             created_at = excluded.created_at, updated_at = excluded.updated_at`,
      )
      .run({
        id: job.id,
        type: job.type,
        status: job.status,
        due_at: job.dueAt.getTime(),
        key: job.key ?? null,
        payload: JSON.stringify(job.payload),
        attempts: job.attempts,
        lease_owner: job.leaseOwner ?? null,
        lease_until: job.leaseUntil?.getTime() ?? null,
        last_error: job.lastError ?? null,
        created_at: job.createdAt.getTime(),
        updated_at: job.updatedAt.getTime(),
      });
  }

  async putOutbox(item: OutboxItem): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO outbox (id, channel, chat_id, action, status, attempts, not_before, lease_owner, lease_until,
             last_error, platform_message_id, created_at, updated_at)
           VALUES (@id, @channel, @chat_id, @action, @status, @attempts, @not_before, @lease_owner, @lease_until,
             @last_error, @platform_message_id, @created_at, @created_at)
           ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, chat_id = excluded.chat_id,
             action = excluded.action, status = excluded.status, attempts = excluded.attempts,
             not_before = excluded.not_before, lease_owner = excluded.lease_owner, lease_until = excluded.lease_until,
             last_error = excluded.last_error, platform_message_id = excluded.platform_message_id,
             created_at = excluded.created_at`,
      )
      .run({
        id: item.id,
        channel: item.channel,
        chat_id: item.chatId,
        action: JSON.stringify(item.action),
        status: item.status,
        attempts: item.attempts,
        not_before: item.notBefore.getTime(),
        lease_owner: item.leaseOwner ?? null,
        lease_until: item.leaseUntil?.getTime() ?? null,
        last_error: item.lastError ?? null,
        platform_message_id: item.platformMessageId ?? null,
        created_at: item.createdAt.getTime(),
      });
  }
}

// ---------------------------------------------------------------------------------------------------
// The command.

export const USAGE =
  'usage: npm run migrate -- --from sqlite:<path> --to <mongodb://…|mongodb+srv://…|sqlite:<path>> [--dry-run]';

export type Endpoint = { kind: 'sqlite'; path: string } | { kind: 'mongodb'; uri: string };

export type ParsedArgs = { help: true } | { help: false; from: Endpoint; to: Endpoint; dryRun: boolean };

/** Thrown for arguments that do not make a command; its message says what is wrong. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function endpoint(value: string, flag: string): Endpoint {
  if (/^sqlite:/i.test(value)) {
    const path = value.slice('sqlite:'.length);
    if (path === '') throw new UsageError(`${flag} sqlite: needs a path, e.g. sqlite:data/residesk.db`);
    return { kind: 'sqlite', path };
  }
  if (/^mongodb(\+srv)?:\/\/\S+$/i.test(value)) return { kind: 'mongodb', uri: value };
  throw new UsageError(`${flag} must be sqlite:<path> or a mongodb:// or mongodb+srv:// connection string`);
}

/** Parses `--from X --to Y [--dry-run]` (also `--from=X`); throws UsageError. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values: { from?: string; to?: string } = {};
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    const match = /^--(from|to)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unknown argument ${arg.startsWith('-') ? arg : JSON.stringify(arg)}`);
    const name = match[1] as 'from' | 'to';
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (values[name] !== undefined) throw new UsageError(`--${name} given twice`);
    values[name] = value;
  }
  if (values.from === undefined) throw new UsageError('--from is missing');
  if (values.to === undefined) throw new UsageError('--to is missing');
  const from = endpoint(values.from, '--from');
  const to = endpoint(values.to, '--to');
  if (from.kind !== 'sqlite')
    throw new UsageError('--from must be sqlite:<path>: the migration copies an embedded deployment');
  if (to.kind === 'sqlite' && resolve(to.path) === resolve(from.path)) {
    throw new UsageError('--from and --to name the same file');
  }
  return { help: false, from, to, dryRun };
}

function describe(end: Endpoint): string {
  return end.kind === 'sqlite' ? `sqlite:${end.path}` : redactUri(end.uri);
}

/** Opens the target as a store and its admin operations, and how to close both. */
async function openTarget(
  to: Endpoint,
  dryRun: boolean,
  serverSelectionTimeoutMs: number,
): Promise<{ store: Store; admin: TargetAdmin; close: () => Promise<void> }> {
  if (to.kind === 'mongodb') {
    // Loaded only here: nothing else of this command needs the driver.
    const { openMongoStore } = await import('../adapters/store/mongo/store.js');
    const store = await openMongoStore({
      uri: to.uri,
      serverSelectionTimeoutMs,
      createIndexes: !dryRun,
    });
    return { store, admin: store.maintenance, close: () => store.close() };
  }
  const store = await openSqliteStore({ path: to.path });
  const file = new SqliteFile(to.path, { readonly: false });
  return {
    store,
    admin: file,
    close: async () => {
      file.close();
      await store.close();
    },
  };
}

/** Runs the command; returns the exit code (0 done and matching, 1 failed or differing, 2 usage). */
export async function runMigrate(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void },
  options: {
    /** How long to wait for a MongoDB target (default: MONGODB_SERVER_SELECTION_TIMEOUT, as for the bot). */
    serverSelectionTimeoutMs?: number;
    /** The environment (default: process.env after reading ./.env). */
    env?: Record<string, string | undefined>;
  } = {},
): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`migrate: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const { from, to, dryRun } = args;
  if (from.kind !== 'sqlite') return 2;
  if (!existsSync(from.path)) {
    io.err(`migrate: no SQLite database at ${from.path}\n${USAGE}\n`);
    return 2;
  }
  if (to.kind === 'sqlite' && existsSync(to.path) && realpathSync(to.path) === realpathSync(from.path)) {
    io.err(`migrate: --from and --to name the same file\n${USAGE}\n`);
    return 2;
  }

  // Only a MongoDB target waits for a server: as long as the bot would, the target read as its MONGODB_URI.
  let serverSelectionTimeoutMs = options.serverSelectionTimeoutMs ?? 0;
  if (to.kind === 'mongodb' && options.serverSelectionTimeoutMs === undefined) {
    try {
      const config = readConfig({ ...(options.env ?? processEnv()), MONGODB_URI: to.uri });
      serverSelectionTimeoutMs = config.mongo?.serverSelectionTimeoutMs ?? serverSelectionTimeoutMs;
    } catch (error) {
      if (!(error instanceof StartupError)) throw error;
      io.err(`migrate: ${error.title}:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 2;
    }
  }

  io.out(`migrate${dryRun ? ' (dry run)' : ''}: ${describe(from)} -> ${describe(to)}\n`);
  const closers: (() => Promise<void>)[] = [];
  try {
    const source = await openSqliteStore({ path: from.path });
    closers.push(() => source.close());
    const reader = new SqliteFile(from.path, { readonly: true });
    closers.push(async () => reader.close());
    const target = await openTarget(to, dryRun, serverSelectionTimeoutMs);
    closers.push(target.close);

    const report = await migrate({
      source,
      reader,
      target: target.store,
      admin: target.admin,
      dryRun,
      progress: (line) => io.err(`  ${line}\n`),
    });
    io.out(formatReport(report));
    return report.problems.length === 0 ? 0 : 1;
  } catch (error) {
    const message = error instanceof StoreError ? `${error.code}: ${error.message}` : String(error);
    io.err(`migrate: ${message}\n`);
    return 1;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = await runMigrate(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
