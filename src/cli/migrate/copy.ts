/**
 * The copy itself: every collection read from the source (through the Store port, and the `SourceReader`
 * for what the port cannot list) and compared by its natural key with the target, and only what the
 * target lacks or holds differently written (through the port in batched transactions, or the
 * `TargetAdmin` for store-owned state), so that running it twice changes nothing. Knows no store: it is
 * given both sides, which is what lets it run against any pair.
 */
import {
  type AuditEntry,
  auditEntries,
  type MessageLogEntry,
  type Store,
  type StoredFile,
  type StoreTx,
} from '../../core/ports.js';
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  type Collection,
  type Counts,
  type MigrationReport,
  type SourceReader,
  type TargetAdmin,
} from './contract.js';
import { countBothSides, countMismatch } from './report.js';

/** Reads everything; the port has no "all", so a limit past any real table. */
const ALL = Number.MAX_SAFE_INTEGER;
/** Every instant a store can hold, for the port's reads by period. */
const ALL_TIME = { from: new Date(-8.64e15), to: new Date(8.64e15) };
/** Port writes per target transaction. */
const BATCH = 200;
/** Outbox files read, compared and written at a time (one may be megabytes). */
const FILE_BATCH = 16;
/** Audit entries read per page. */
const AUDIT_PAGE = 1000;

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

/** Files compared field by field, the bytes as bytes (as JSON they would be a key per byte). */
function sameFile(a: StoredFile, b: StoredFile): boolean {
  const { bytes: aBytes, ...aRest } = a;
  const { bytes: bBytes, ...bRest } = b;
  return same(aRest, bRest) && Buffer.compare(aBytes, bBytes) === 0;
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

  // Before the outbox, whose pending items name them. Planned by id a few files at a time (a workbook is
  // megabytes), and written the same way; a file is saved once, so a different one under its id is reported.
  const fileIds = [];
  const ids = await reader.fileIds();
  for (let i = 0; i < ids.length; i += FILE_BATCH) {
    const chunk = ids.slice(i, i + FILE_BATCH);
    const there = new Map((await target.getFiles(chunk)).map((file) => [file.id, file]));
    for (const file of await source.getFiles(chunk)) {
      const other = there.get(file.id);
      if (other === undefined) fileIds.push(file.id);
      else if (!sameFile(other, file))
        problems.push(`outbox_files: the target holds another file under the id ${file.id}`);
    }
  }
  await step('outboxFiles', fileIds, async (items) => {
    for (let i = 0; i < items.length; i += FILE_BATCH) {
      const files = await source.getFiles(items.slice(i, i + FILE_BATCH));
      await target.transaction(async (tx) => {
        for (const file of files) await tx.saveFile(file);
      });
    }
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

  // Contact records are written once by their id (addContact keeps what is there), oldest first.
  const contactsThere = new Map((await target.listContacts({ limit: ALL })).map((record) => [record.id, record]));
  const contacts = [];
  for (const record of (await source.listContacts({ limit: ALL })).reverse()) {
    const there = contactsThere.get(record.id);
    if (there === undefined) contacts.push(record);
    else if (!same(there, record)) problems.push(`contacts: the target holds another record under the id ${record.id}`);
  }
  await step('contacts', contacts, (items) => inBatches(target, items, (tx, record) => tx.addContact(record)));

  // The audit log is append-only: what the target lacks is appended, oldest first, each entry by its id.
  const auditThere = new Map<string, AuditEntry>();
  for await (const entry of auditEntries(target, {}, AUDIT_PAGE)) auditThere.set(entry.id, entry);
  const audit = [];
  for await (const entry of auditEntries(source, {}, AUDIT_PAGE)) {
    const there = auditThere.get(entry.id);
    if (there === undefined) audit.push(entry);
    else if (!same(there, entry)) problems.push(`audit_log: the target holds another entry under the id ${entry.id}`);
  }
  await step('auditLog', audit, (items) => inBatches(target, items, (tx, entry) => tx.appendAudit(entry)));

  // Both sides counted independently of what was written: the verdict.
  const rows = await countBothSides(reader, admin, written);
  if (!dryRun) {
    const mismatch = countMismatch(rows);
    if (mismatch) problems.unshift(mismatch);
  }
  return { dryRun, rows, problems };
}
