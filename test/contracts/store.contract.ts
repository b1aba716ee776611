/**
 * The Store contract: what every Store adapter must do, written once against the port so that each
 * adapter's test file runs the same suite (`storeContract('sqlite', open)`).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationState } from '../../src/core/flow/state.js';
import type { KnowledgeEntry } from '../../src/core/knowledge/entry.js';
import type {
  AuditEntry,
  ContactRecord,
  Enquiry,
  MessageLogEntry,
  NewJob,
  NewOutboxItem,
  Notice,
  NoticeDelivery,
  Praise,
  Store,
  StoredFile,
  SurveyCampaign,
  SurveyInvitation,
  SurveyResponse,
  Thread,
  TicketCursor,
} from '../../src/core/ports.js';
import { auditEntries, ticketsCreatedIn } from '../../src/core/ports.js';
import type { Ticket } from '../../src/core/tickets/ticket.js';
import type { Channel, OutboundAction } from '../../src/core/types.js';
import { makeOwner, makeStaff, makeTicket } from '../fixtures.js';

const T0 = new Date('2026-11-28T02:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

let jobCounter = 0;

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  jobCounter += 1;
  return {
    id: `job-${jobCounter}`,
    type: 'reminder',
    dueAt: T0,
    payload: { ticketId: `t-${jobCounter}` },
    ...overrides,
  };
}

let outboxCounter = 0;

function send(channel: Channel, chatId: string, text: string, notBefore?: Date): NewOutboxItem {
  outboxCounter += 1;
  const item: NewOutboxItem = {
    id: `out-${outboxCounter}`,
    channel,
    chatId,
    action: { kind: 'send', message: { text } },
  };
  if (notBefore) item.notBefore = notBefore;
  return item;
}

const conflict = { name: 'StoreError', code: 'STORE_CONFLICT' };

/**
 * Declares `store contract: <name>`. `open` is called before every test and must return an empty store;
 * `cleanup` is called after it and must close the store and remove what it created.
 */
export function storeContract(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });

    afterEach(async () => {
      await cleanup();
    });

    auditLogContract(() => store);
    fileStoreContract(() => store);

    describe('inbound dedupe', () => {
      it('marks a message once per channel', async () => {
        expect(await store.markInbound('telegram', 'm-1', T0)).toBe(true);
        expect(await store.markInbound('telegram', 'm-1', at(SECOND))).toBe(false);
        expect(await store.markInbound('wechat', 'm-1', T0)).toBe(true);
        expect(await store.markInbound('telegram', 'm-2', T0)).toBe(true);
      });
    });

    describe('owners', () => {
      it('round-trips an owner and finds it by each identity', async () => {
        const owner = makeOwner({
          identities: [
            { channel: 'telegram', userId: 'tg-1', chatId: 'tg-chat-1' },
            { channel: 'wechat', userId: 'wx-1', chatId: 'wx-chat-1' },
          ],
          units: ['3-2-501', '5-1-1202'],
          locale: 'en',
        });
        await store.saveOwner(owner);

        const read = await store.getOwner(owner.id);
        expect(read).toEqual(owner);
        expect(read?.createdAt).toBeInstanceOf(Date);
        expect(await store.findOwnerByIdentity('telegram', 'tg-1')).toEqual(owner);
        expect(await store.findOwnerByIdentity('wechat', 'wx-1')).toEqual(owner);
        expect(await store.findOwnerByIdentity('wechat', 'tg-1')).toBeUndefined();
        expect(await store.getOwner('nobody')).toBeUndefined();
      });

      it('replaces an owner, identities included', async () => {
        const owner = makeOwner({
          identities: [
            { channel: 'telegram', userId: 'tg-1', chatId: 'tg-chat-1' },
            { channel: 'wechat', userId: 'wx-1', chatId: 'wx-chat-1' },
          ],
        });
        await store.saveOwner(owner);
        const changed = {
          ...owner,
          name: 'Renamed',
          unreachable: true,
          identities: [{ channel: 'telegram' as const, userId: 'tg-1', chatId: 'tg-chat-1' }],
          updatedAt: at(MINUTE),
        };
        await store.saveOwner(changed);

        expect(await store.getOwner(owner.id)).toEqual(changed);
        expect(await store.findOwnerByIdentity('wechat', 'wx-1')).toBeUndefined();
        expect(await store.findOwnerByIdentity('telegram', 'tg-1')).toEqual(changed);
        expect(await store.listOwners()).toEqual([changed]);
      });

      it('refuses an identity that belongs to another owner', async () => {
        const first = makeOwner({ identities: [{ channel: 'telegram', userId: 'tg-1', chatId: 'c-1' }] });
        const second = makeOwner({ identities: [{ channel: 'telegram', userId: 'tg-1', chatId: 'c-2' }] });
        await store.saveOwner(first);

        await expect(store.saveOwner(second)).rejects.toMatchObject(conflict);
        expect(await store.getOwner(second.id)).toBeUndefined();
        expect(await store.findOwnerByIdentity('telegram', 'tg-1')).toEqual(first);
      });

      it('finds the owners with a phone number, oldest first, following changes', async () => {
        const phone = '+8613900000001';
        const later = makeOwner({ phone, createdAt: at(2 * MINUTE), updatedAt: at(2 * MINUTE) });
        const earlier = makeOwner({ phone, createdAt: at(MINUTE), updatedAt: at(MINUTE) });
        const other = makeOwner({ phone: '+8613900000002' });
        const { phone: _none, ...withoutPhone } = makeOwner();
        for (const owner of [later, earlier, other, withoutPhone]) await store.saveOwner(owner);

        expect(await store.findOwnersByPhone(phone)).toEqual([earlier, later]);
        expect(await store.findOwnersByPhone('+8613900000009')).toEqual([]);

        const moved = { ...later, phone: '+8613900000002', updatedAt: at(3 * MINUTE) };
        await store.saveOwner(moved);
        expect(await store.findOwnersByPhone(phone)).toEqual([earlier]);
        expect((await store.findOwnersByPhone('+8613900000002')).map((o) => o.id).sort()).toEqual(
          [other.id, moved.id].sort(),
        );
        expect(await store.transaction(async (tx) => tx.findOwnersByPhone(phone))).toEqual([earlier]);
      });

      it('lists every owner', async () => {
        const owners = [makeOwner(), makeOwner(), makeOwner()];
        for (const owner of owners) await store.saveOwner(owner);
        const listed = await store.listOwners();
        expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
          owners.sort((a, b) => a.id.localeCompare(b.id)),
        );
      });

      it('lists owners page by page by id, each page after the last one', async () => {
        const owners = [makeOwner(), makeOwner(), makeOwner(), makeOwner(), makeOwner()];
        for (const owner of [...owners].reverse()) await store.saveOwner(owner);
        const ids = owners.map((o) => o.id).sort();
        const first = await store.listOwnersAfter(undefined, 2);
        expect(first.map((o) => o.id)).toEqual(ids.slice(0, 2));
        const second = await store.listOwnersAfter(first.at(-1)?.id, 2);
        expect(second.map((o) => o.id)).toEqual(ids.slice(2, 4));
        expect((await store.listOwnersAfter(ids[3], 2)).map((o) => o.id)).toEqual(ids.slice(4));
        expect(await store.listOwnersAfter(ids[4], 2)).toEqual([]);
        expect(second[0]).toEqual(owners.find((o) => o.id === ids[2]));
      });
    });

    describe('staff', () => {
      it('round-trips, finds by identity, replaces and lists staff', async () => {
        const alice = makeStaff({ role: 'supervisor' });
        const bob = makeStaff({ channel: 'wechat', active: false });
        await store.saveStaff(alice);
        await store.saveStaff(bob);

        expect(await store.getStaff(alice.id)).toEqual(alice);
        expect(await store.findStaff('wechat', bob.userId)).toEqual(bob);
        expect(await store.findStaff('telegram', bob.userId)).toBeUndefined();
        expect(await store.getStaff('nobody')).toBeUndefined();

        const promoted = { ...alice, role: 'manager' as const, displayName: 'Alice W.' };
        await store.saveStaff(promoted);
        expect(await store.getStaff(alice.id)).toEqual(promoted);
        const listed = await store.listStaff();
        expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
          [promoted, bob].sort((a, b) => a.id.localeCompare(b.id)),
        );
      });
    });

    describe('threads', () => {
      it('round-trips a thread with a nested conversation state', async () => {
        const state: ConversationState = {
          v: 1,
          locale: 'en',
          seq: 7,
          prompt: 'pick_ticket',
          promptData: ['ticket-1', 'ticket-2'],
          flow: {
            flowId: 'complaint',
            flowVersion: 3,
            stepId: 'confirm',
            answers: {
              kind: 'repair',
              count: 2,
              urgent: true,
              tags: ['leak', 'ceiling'],
              location: { kind: 'unit', building: '3', unit: '2', room: '501' },
              photos: [{ ref: 'file-1', caption: 'the stain' }, { ref: 'file-2' }],
            },
            history: ['kind', 'location', 'photos'],
            editing: true,
            stage: 'which_field',
            context: { ticketId: 'ticket-1', attempt: 2, fromMenu: false },
            startedAt: '2026-11-28T02:00:00.000Z',
          },
          queue: [{ flowId: 'revisit', context: { ticketId: 'ticket-0' }, queuedAt: '2026-11-28T02:05:00.000Z' }],
        };
        const thread: Thread = {
          channel: 'telegram',
          chatId: 'chat-1',
          ownerId: 'owner-1',
          state: structuredClone(state),
          updatedAt: T0,
        };
        await store.saveThread(thread);

        const read = await store.getThread('telegram', 'chat-1');
        expect(read).toEqual(thread);
        expect(read?.state).toEqual(state);
        expect(read?.updatedAt).toBeInstanceOf(Date);
        expect(await store.getThread('wechat', 'chat-1')).toBeUndefined();

        const next: Thread = { ...thread, state: { v: 1, seq: 8, queue: [] }, updatedAt: at(MINUTE) };
        await store.saveThread(next);
        expect(await store.getThread('telegram', 'chat-1')).toEqual(next);
      });
    });

    describe('message log', () => {
      it('lists a chat oldest first and keeps the last `limit`', async () => {
        const entries: MessageLogEntry[] = [
          {
            channel: 'telegram',
            chatId: 'chat-1',
            direction: 'in',
            at: T0,
            messageId: '101',
            body: { type: 'text', text: '你好' },
          },
          {
            channel: 'telegram',
            chatId: 'chat-1',
            direction: 'out',
            at: at(SECOND),
            messageId: 'out-1',
            body: { kind: 'send', message: { text: 'Hello', buttons: [[{ label: 'Menu', data: 'm:1' }]] } },
          },
          {
            channel: 'telegram',
            chatId: 'chat-1',
            direction: 'in',
            at: at(2 * SECOND),
            body: { type: 'button', data: 'm:1' },
          },
        ];
        for (const entry of entries) await store.logMessage(entry);
        await store.logMessage({ channel: 'telegram', chatId: 'chat-2', direction: 'in', at: T0, body: 'other' });

        const listed = await store.listMessages('telegram', 'chat-1');
        expect(listed).toEqual(entries);
        expect(listed[0]?.at).toBeInstanceOf(Date);
        expect(await store.listMessages('telegram', 'chat-1', 2)).toEqual(entries.slice(1));
        expect(await store.listMessages('wechat', 'chat-1')).toEqual([]);
      });

      it('returns at most 100 entries by default', async () => {
        await store.transaction(async (tx) => {
          for (let i = 0; i < 105; i++) {
            await tx.logMessage({ channel: 'wechat', chatId: 'chat-1', direction: 'in', at: at(i * SECOND), body: i });
          }
        });
        const listed = await store.listMessages('wechat', 'chat-1');
        expect(listed).toHaveLength(100);
        expect(listed[0]?.body).toBe(5);
        expect(listed[99]?.body).toBe(104);
      });
    });

    describe('sequences', () => {
      it('starts at 1 and increments each name independently', async () => {
        expect(await store.nextSequence('ticket:261128')).toBe(1);
        expect(await store.nextSequence('ticket:261128')).toBe(2);
        expect(await store.nextSequence('ticket:261129')).toBe(1);
        expect(await store.nextSequence('ticket:261128')).toBe(3);
        expect(await store.nextSequence('ticket:261129')).toBe(2);
      });

      it('never hands out a value twice under concurrent calls', async () => {
        const values = await Promise.all(Array.from({ length: 20 }, () => store.nextSequence('n')));
        expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });
    });

    describe('tickets', () => {
      it('round-trips a fully populated ticket', async () => {
        const ticket: Ticket = makeTicket({
          status: 'closed',
          responsibility: 'developer',
          subject: 'Building 3 roof',
          demand: 'Fix the leak before the rain',
          contact: { name: '王女士', phone: '+8613812345678' },
          attachments: [
            { ref: 'file-1', channel: 'telegram', caption: 'ceiling' },
            { ref: 'file-2', channel: 'telegram' },
          ],
          assignee: { id: 'staff-1', name: 'Li' },
          plan: 'Seal the roof on Monday',
          scheduledFor: at(3 * 24 * 60 * MINUTE),
          resolution: 'Roof sealed',
          reopenCount: 1,
          createdAt: T0,
          updatedAt: at(5 * 24 * 60 * MINUTE),
          firstResponseAt: at(10 * MINUTE),
          resolvedAt: at(4 * 24 * 60 * MINUTE),
          closedAt: at(5 * 24 * 60 * MINUTE),
          timeline: [
            { at: T0, actor: { type: 'owner', id: 'owner-1' }, action: 'create', to: 'recorded' },
            {
              at: at(10 * MINUTE),
              actor: { type: 'staff', id: 'staff-1', name: 'Li' },
              action: 'accept',
              from: 'recorded',
              to: 'accepted',
              note: 'on it',
              data: { assignee: 'staff-1', nested: { list: [1, 2] } },
            },
            { at: at(20 * MINUTE), actor: { type: 'system' }, action: 'reminder' },
            // The system's entries as codes with parameters, kept as data; an old entry's sentence as it was.
            {
              at: at(30 * MINUTE),
              actor: { type: 'system' },
              action: 'revisit',
              detail: { code: 'revisit.answers', solved: true, attitude: 'so_so', charged: false, score: 8 },
              data: { by: 'chat' },
            },
            { at: at(40 * MINUTE), actor: { type: 'system' }, action: 'escalation', note: 'accept 100%' },
          ],
        });
        await store.saveTicket(ticket);

        const read = await store.getTicket(ticket.id);
        expect(read).toEqual(ticket);
        expect(read?.scheduledFor).toBeInstanceOf(Date);
        expect(read?.timeline[1]?.at).toBeInstanceOf(Date);
        expect(await store.getTicketByNumber(ticket.number)).toEqual(ticket);
        expect(await store.getTicket('nope')).toBeUndefined();
        expect(await store.getTicketByNumber('T000000-0000')).toBeUndefined();
      });

      it('round-trips a ticket without optional fields', async () => {
        const ticket = makeTicket();
        await store.saveTicket(ticket);
        expect(await store.getTicket(ticket.id)).toEqual(ticket);
      });

      it('replaces a ticket saved again under its id', async () => {
        const ticket = makeTicket();
        await store.saveTicket(ticket);
        const accepted: Ticket = {
          ...ticket,
          status: 'accepted',
          assignee: { id: 'staff-9', name: 'Zhao' },
          updatedAt: at(MINUTE),
          timeline: [
            ...ticket.timeline,
            { at: at(MINUTE), actor: { type: 'staff', id: 'staff-9', name: 'Zhao' }, action: 'accept' },
          ],
        };
        await store.saveTicket(accepted);
        expect(await store.getTicket(ticket.id)).toEqual(accepted);
        expect(await store.listTickets({ assigneeId: 'staff-9' })).toEqual([accepted]);
      });

      it('refuses a second ticket with the same number', async () => {
        const first = makeTicket();
        await store.saveTicket(first);
        const clash = makeTicket({ number: first.number });

        await expect(store.saveTicket(clash)).rejects.toMatchObject(conflict);
        expect(await store.getTicket(clash.id)).toBeUndefined();
        expect(await store.getTicketByNumber(first.number)).toEqual(first);
      });

      it('lists tickets newest first, filtered by owner, assignee and status', async () => {
        const li = { id: 'staff-li', name: 'Li' };
        const zhao = { id: 'staff-zhao', name: 'Zhao' };
        const t1 = makeTicket({ ownerId: 'o-1', status: 'recorded' });
        const t2 = makeTicket({ ownerId: 'o-2', status: 'accepted', assignee: li });
        const t3 = makeTicket({ ownerId: 'o-1', status: 'in_progress', assignee: zhao });
        const t4 = makeTicket({ ownerId: 'o-1', status: 'closed', assignee: li });
        const t5 = makeTicket({ ownerId: 'o-2', status: 'resolved', assignee: li });
        for (const t of [t3, t1, t5, t2, t4]) await store.saveTicket(t);

        expect(await store.listTickets({})).toEqual([t5, t4, t3, t2, t1]);
        expect(await store.listTickets({ ownerId: 'o-1' })).toEqual([t4, t3, t1]);
        expect(await store.listTickets({ assigneeId: li.id })).toEqual([t5, t4, t2]);
        expect(await store.listTickets({ statuses: ['recorded', 'in_progress', 'resolved'] })).toEqual([t5, t3, t1]);
        expect(await store.listTickets({ ownerId: 'o-1', assigneeId: li.id, statuses: ['closed'] })).toEqual([t4]);
        expect(await store.listTickets({ ownerId: 'o-1', statuses: ['resolved'] })).toEqual([]);
        expect(await store.listTickets({ limit: 2 })).toEqual([t5, t4]);
      });

      it('lists at most 50 tickets by default', async () => {
        const tickets = Array.from({ length: 55 }, () => makeTicket());
        await store.transaction(async (tx) => {
          for (const t of tickets) await tx.saveTicket(t);
        });
        const listed = await store.listTickets({});
        expect(listed).toHaveLength(50);
        expect(listed[0]).toEqual(tickets[54]);
        expect(listed[49]).toEqual(tickets[5]);
      });
    });

    describe('reports', () => {
      /** Oldest first, as the period queries order: creation time, then id. */
      const byCreation = (a: Ticket, b: Ticket) =>
        a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

      /** The first instant of a month (UTC), `months` after January 2024. */
      const month = (months: number) => new Date(Date.UTC(2024, months, 1));

      it('walks the tickets created in a period page by page, however old the period and however many', async () => {
        // Two years of history, one ticket a month, and a busy old month of 25 with ties in time.
        const monthly = Array.from({ length: 24 }, (_, i) =>
          makeTicket({ createdAt: new Date(month(i).getTime() + HOUR) }),
        );
        const busy = Array.from({ length: 25 }, (_, i) =>
          makeTicket({ createdAt: new Date(month(2).getTime() + (i % 5) * DAY) }),
        );
        const edges = [makeTicket({ createdAt: month(2) }), makeTicket({ createdAt: month(3) })];
        await store.transaction(async (tx) => {
          for (const t of [...monthly, ...busy, ...edges]) await tx.saveTicket(t);
        });
        const march = { from: month(2), to: month(3) };
        const expected = [monthly[2] as Ticket, ...busy, edges[0] as Ticket].sort(byCreation);

        const pages: Ticket[][] = [];
        let after: TicketCursor | undefined;
        do {
          const page = await store.listTicketsCreated(march, { limit: 4, ...(after ? { after } : {}) });
          pages.push(page.tickets);
          after = page.next;
        } while (after);
        expect(pages.flat()).toEqual(expected);
        expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4, 4, 4, 3]);

        const walked: Ticket[] = [];
        for await (const t of ticketsCreatedIn(store, march, 10)) walked.push(t);
        expect(walked).toEqual(expected);
        // A page that fills exactly says nothing follows only when nothing does.
        expect(await store.listTicketsCreated(march, { limit: expected.length })).toEqual({ tickets: expected });
        expect(await store.listTicketsCreated({ from: month(30), to: month(31) })).toEqual({ tickets: [] });
        // The newest-first list (capped) never reaches that far back; the period query does.
        expect((await store.listTicketsCreated({ from: month(0), to: month(1) })).tickets).toEqual([monthly[0]]);
      });

      it('counts the tickets created in a period by kind, category, responsibility and status', async () => {
        const inside = [
          makeTicket({ createdAt: month(0), kind: 'repair', category: 'water_power', status: 'recorded' }),
          makeTicket({
            createdAt: new Date(month(1).getTime() - 1),
            kind: 'repair',
            category: 'lift',
            status: 'closed',
          }),
          makeTicket({ createdAt: month(0), kind: 'complaint', category: 'lift', responsibility: 'developer' }),
        ];
        const outside = [
          makeTicket({ createdAt: new Date(month(0).getTime() - 1), kind: 'suggestion' }),
          makeTicket({ createdAt: month(1), kind: 'suggestion' }),
        ];
        await store.transaction(async (tx) => {
          for (const t of [...inside, ...outside]) await tx.saveTicket(t);
        });
        // A ticket saved again is counted as it is now, once.
        await store.saveTicket({ ...(inside[0] as Ticket), status: 'accepted' });

        expect(await store.countTicketsCreated({ from: month(0), to: month(1) })).toEqual({
          total: 3,
          kind: { repair: 2, complaint: 1 },
          category: { water_power: 1, lift: 2 },
          responsibility: { unknown: 2, developer: 1 },
          status: { accepted: 1, closed: 1, recorded: 1 },
          source: { chat: 3 },
        });
        expect(await store.countTicketsCreated({ from: month(5), to: month(6) })).toEqual({
          total: 0,
          kind: {},
          category: {},
          responsibility: {},
          status: {},
          source: {},
        });
      });

      it('lists the revisit comments left in a period, oldest first', async () => {
        const revisit = (offset: number, comment?: string): NonNullable<Ticket['revisit']> => ({
          at: new Date(month(0).getTime() + offset),
          by: 'chat',
          solved: true,
          attitude: 'satisfied',
          charged: false,
          score: 9,
          outcome: 'closed',
          ...(comment === undefined ? {} : { comment }),
        });
        const later = makeTicket({ status: 'closed', revisit: revisit(2 * DAY, '师傅很细心') });
        const earlier = makeTicket({ status: 'closed', revisit: revisit(DAY, '来得有点晚') });
        const silent = makeTicket({ status: 'closed', revisit: revisit(DAY) });
        const empty = makeTicket({ status: 'closed', revisit: revisit(DAY, '') });
        const before = makeTicket({ status: 'closed', revisit: revisit(-1, '上个月的') });
        const reopened = makeTicket({ status: 'reopened', revisit: revisit(3 * DAY, '又漏水了') });
        await store.transaction(async (tx) => {
          for (const t of [later, earlier, silent, empty, before, reopened]) await tx.saveTicket(t);
        });
        const period = { from: month(0), to: month(1) };
        const comment = (t: Ticket) => ({
          ticketId: t.id,
          number: t.number,
          at: t.revisit?.at,
          comment: t.revisit?.comment,
        });
        expect(await store.listRevisitComments(period)).toEqual([earlier, later, reopened].map(comment));
        expect(await store.listRevisitComments(period, { limit: 1 })).toEqual([comment(earlier)]);
        expect(await store.getTicket(later.id)).toEqual(later);

        // A revisit recorded again without a comment takes the old one out of the list.
        const { comment: _c, ...answers } = later.revisit as NonNullable<Ticket['revisit']>;
        await store.saveTicket({ ...later, revisit: answers });
        expect(await store.listRevisitComments(period)).toEqual([earlier, reopened].map(comment));
      });
    });

    describe('survey listings', () => {
      const campaign = (id: string, createdAt: Date, status: SurveyCampaign['status']): SurveyCampaign => ({
        id,
        questionnaireId: 'residential',
        questionnaireVersion: 1,
        name: `campaign ${id}`,
        status,
        target: { kind: 'all' },
        createdBy: 'cli:test',
        createdAt,
        updatedAt: createdAt,
        invitedCount: 3,
      });
      const answer = (campaignId: string, ownerId: string): SurveyResponse => ({
        id: `${campaignId}-${ownerId}`,
        campaignId,
        ownerId,
        questionnaireVersion: 1,
        answers: { overall: 5 },
        channel: 'telegram',
        submittedAt: T0,
      });

      it('lists campaigns newest first with their response counts, and counts one campaign', async () => {
        const old = campaign('S001', T0, 'closed');
        const recent = campaign('S002', at(MINUTE), 'running');
        const draft = campaign('S003', at(2 * MINUTE), 'draft');
        await store.transaction(async (tx) => {
          for (const c of [old, recent, draft]) await tx.createSurveyCampaign(c);
          for (const owner of ['a', 'b', 'c']) await tx.addSurveyResponse(answer('S001', owner));
          await tx.addSurveyResponse(answer('S002', 'a'));
        });
        expect(await store.listSurveyCampaignsWithCounts()).toEqual([
          { campaign: draft, responses: 0 },
          { campaign: recent, responses: 1 },
          { campaign: old, responses: 3 },
        ]);
        expect(await store.listSurveyCampaignsWithCounts({ limit: 1 })).toEqual([{ campaign: draft, responses: 0 }]);
        expect(await store.listSurveyCampaignsWithCounts({ statuses: ['closed', 'running'] })).toEqual([
          { campaign: recent, responses: 1 },
          { campaign: old, responses: 3 },
        ]);
        expect(await store.listSurveyCampaignsWithCounts({ statuses: [] })).toEqual([]);
        expect(await store.listSurveyCampaignsWithCounts({ questionnaireId: 'other' })).toEqual([]);
        expect(await store.countSurveyResponses('S001')).toBe(3);
        expect(await store.countSurveyResponses('S003')).toBe(0);
        expect(await store.transaction((tx) => tx.countSurveyResponses('S002'))).toBe(1);
      });
    });

    describe('transactions', () => {
      it('commits every write and returns what fn returns', async () => {
        const owner = makeOwner();
        const result = await store.transaction(async (tx) => {
          await tx.saveOwner(owner);
          expect(await tx.getOwner(owner.id)).toEqual(owner);
          return tx.nextSequence('n');
        });
        expect(result).toBe(1);
        expect(await store.getOwner(owner.id)).toEqual(owner);
        expect(await store.nextSequence('n')).toBe(2);
      });

      it('writes nothing when fn throws, and rethrows its error', async () => {
        const owner = makeOwner();
        const ticket = makeTicket({ ownerId: owner.id });
        const failure = new Error('boom');
        const attempt = store.transaction(async (tx) => {
          await tx.saveOwner(owner);
          await tx.saveTicket(ticket);
          await tx.saveStaff(makeStaff({ id: 'staff-x' }));
          await tx.saveThread({
            channel: 'telegram',
            chatId: 'chat-1',
            ownerId: owner.id,
            state: { v: 1, seq: 0, queue: [] },
            updatedAt: T0,
          });
          await tx.markInbound('telegram', 'm-1', T0);
          await tx.logMessage({ channel: 'telegram', chatId: 'chat-1', direction: 'in', at: T0, body: 'hi' });
          expect(await tx.nextSequence('n')).toBe(1);
          await tx.enqueue([send('telegram', 'chat-1', 'hello')], T0);
          await tx.scheduleJob(newJob({ id: 'job-x', key: 'k' }), T0);
          await tx.setMessageRef('telegram', 'chat-1', 'card:1', 'pm-1');
          await tx.setSetting('s', 'v');
          throw failure;
        });

        await expect(attempt).rejects.toBe(failure);
        expect(await store.getOwner(owner.id)).toBeUndefined();
        expect(await store.findOwnerByIdentity('telegram', owner.identities[0]?.userId ?? '')).toBeUndefined();
        expect(await store.getTicket(ticket.id)).toBeUndefined();
        expect(await store.getStaff('staff-x')).toBeUndefined();
        expect(await store.getThread('telegram', 'chat-1')).toBeUndefined();
        expect(await store.markInbound('telegram', 'm-1', T0)).toBe(true);
        expect(await store.listMessages('telegram', 'chat-1')).toEqual([]);
        expect(await store.nextSequence('n')).toBe(1);
        expect(await store.listOutbox({})).toEqual([]);
        expect(await store.claimOutbox(at(MINUTE), 'w', MINUTE, 10)).toEqual([]);
        expect(await store.getJob('job-x')).toBeUndefined();
        expect(await store.getMessageRef('telegram', 'chat-1', 'card:1')).toBeUndefined();
        expect(await store.getSetting('s')).toBeUndefined();
      });

      it('serialises concurrent transactions', async () => {
        const increment = () =>
          store.transaction(async (tx) => {
            const value = Number((await tx.getSetting('counter')) ?? '0');
            await new Promise((r) => setTimeout(r, 1));
            await tx.setSetting('counter', String(value + 1));
          });
        await Promise.all(Array.from({ length: 10 }, increment));
        expect(await store.getSetting('counter')).toBe('10');
      });

      it('never shows a direct read what a transaction later rolls back', async () => {
        let written!: () => void;
        const wrote = new Promise<void>((resolve) => {
          written = resolve;
        });
        let abort!: () => void;
        const aborted = new Promise<void>((resolve) => {
          abort = resolve;
        });
        const attempt = store.transaction(async (tx) => {
          await tx.setSetting('s', 'uncommitted');
          written();
          await aborted;
          throw new Error('abort');
        });
        await wrote;
        const readDuring = store.getSetting('s');
        abort();
        await expect(attempt).rejects.toThrow('abort');
        expect(await readDuring).toBeUndefined();
      });
    });

    describe('jobs', () => {
      it('schedules a pending job and reads it back', async () => {
        const job = await store.scheduleJob(
          newJob({ dueAt: at(MINUTE), key: 'remind:t-1', payload: { a: [1, 'x'] } }),
          T0,
        );
        expect(job).toEqual({
          id: job.id,
          type: 'reminder',
          dueAt: at(MINUTE),
          payload: { a: [1, 'x'] },
          key: 'remind:t-1',
          status: 'pending',
          attempts: 0,
          createdAt: T0,
          updatedAt: T0,
        });
        expect(await store.getJob(job.id)).toEqual(job);
        expect(await store.getJob('nope')).toBeUndefined();
      });

      it('returns the unfinished job that already has the key, unchanged', async () => {
        const first = await store.scheduleJob(newJob({ key: 'k', payload: { n: 1 } }), T0);
        const again = await store.scheduleJob(newJob({ key: 'k', payload: { n: 2 }, dueAt: at(MINUTE) }), at(SECOND));
        expect(again).toEqual(first);
        expect(await store.listJobs({})).toEqual([first]);

        const [claimed] = await store.claimJobs(T0, 'w', MINUTE, 1);
        expect(claimed?.id).toBe(first.id);
        const whileRunning = await store.scheduleJob(newJob({ key: 'k' }), T0);
        expect(whileRunning.id).toBe(first.id);
        expect(whileRunning.status).toBe('running');

        await store.completeJob(first.id, 'w', T0);
        const fresh = await store.scheduleJob(newJob({ key: 'k' }), at(SECOND));
        expect(fresh.id).not.toBe(first.id);
        expect(fresh.status).toBe('pending');
      });

      it('cancels pending jobs by key, not running ones', async () => {
        const pending = await store.scheduleJob(newJob({ key: 'a', dueAt: at(MINUTE) }), T0);
        const running = await store.scheduleJob(newJob({ key: 'b' }), T0);
        await store.claimJobs(T0, 'w', MINUTE, 10);

        expect(await store.cancelJobs('a', at(SECOND))).toBe(1);
        expect(await store.cancelJobs('a', at(SECOND))).toBe(0);
        expect(await store.cancelJobs('b', at(SECOND))).toBe(0);
        expect(await store.getJob(pending.id)).toMatchObject({ status: 'cancelled', updatedAt: at(SECOND) });
        expect((await store.getJob(running.id))?.status).toBe('running');
        expect(await store.claimJobs(at(MINUTE), 'w2', MINUTE, 10)).toEqual([]);

        const replacement = await store.scheduleJob(newJob({ key: 'a' }), at(SECOND));
        expect(replacement.id).not.toBe(pending.id);
      });

      it('claims only due jobs, in due order, up to the limit, and leases them', async () => {
        const later = await store.scheduleJob(newJob({ dueAt: at(2 * MINUTE) }), T0);
        const second = await store.scheduleJob(newJob({ dueAt: at(50 * SECOND) }), T0);
        const first = await store.scheduleJob(newJob({ dueAt: at(30 * SECOND) }), T0);
        const third = await store.scheduleJob(newJob({ dueAt: at(MINUTE) }), T0);

        expect(await store.claimJobs(at(10 * SECOND), 'w', MINUTE, 10)).toEqual([]);

        const now = at(MINUTE);
        const claimed = await store.claimJobs(now, 'w', 30 * SECOND, 2);
        expect(claimed.map((j) => j.id)).toEqual([first.id, second.id]);
        expect(claimed[0]).toEqual({
          ...first,
          status: 'running',
          attempts: 1,
          leaseOwner: 'w',
          leaseUntil: at(MINUTE + 30 * SECOND),
          updatedAt: now,
        });
        expect(await store.getJob(first.id)).toEqual(claimed[0]);

        expect((await store.claimJobs(now, 'w', 30 * SECOND, 10)).map((j) => j.id)).toEqual([third.id]);
        expect((await store.getJob(later.id))?.status).toBe('pending');
      });

      it('keeps a live lease exclusive and lets one worker take over an expired one', async () => {
        const job = await store.scheduleJob(newJob(), T0);
        const [mine] = await store.claimJobs(T0, 'a', 30 * SECOND, 10);
        expect(mine?.leaseOwner).toBe('a');

        expect(await store.claimJobs(at(10 * SECOND), 'b', 30 * SECOND, 10)).toEqual([]);

        const taken = await store.claimJobs(at(31 * SECOND), 'b', 30 * SECOND, 10);
        expect(taken).toHaveLength(1);
        expect(taken[0]).toMatchObject({
          id: job.id,
          status: 'running',
          leaseOwner: 'b',
          leaseUntil: at(61 * SECOND),
          attempts: 2,
        });
        expect(await store.claimJobs(at(32 * SECOND), 'c', 30 * SECOND, 10)).toEqual([]);

        expect(await store.completeJob(job.id, 'a', at(33 * SECOND))).toBe(false);
        expect(await store.completeJob(job.id, 'b', at(33 * SECOND))).toBe(true);
      });

      it('completes a job only for its lease owner', async () => {
        const job = await store.scheduleJob(newJob(), T0);
        await store.claimJobs(T0, 'w', MINUTE, 1);

        expect(await store.completeJob(job.id, 'other', at(SECOND))).toBe(false);
        expect(await store.completeJob(job.id, 'w', at(SECOND))).toBe(true);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'done', attempts: 1, updatedAt: at(SECOND) });
        expect(await store.completeJob(job.id, 'w', at(SECOND))).toBe(false);
        expect(await store.claimJobs(at(10 * MINUTE), 'w', MINUTE, 10)).toEqual([]);
        expect(await store.completeJob('nope', 'w', T0)).toBe(false);
      });

      it('retries a job only for its lease owner, due again at the new time', async () => {
        const job = await store.scheduleJob(newJob(), T0);
        await store.claimJobs(T0, 'w', MINUTE, 1);

        expect(await store.retryJob(job.id, 'other', at(MINUTE), 'nope', at(SECOND))).toBe(false);
        expect(await store.retryJob(job.id, 'w', at(MINUTE), 'timeout', at(SECOND))).toBe(true);
        const retried = await store.getJob(job.id);
        expect(retried).toMatchObject({ status: 'pending', dueAt: at(MINUTE), lastError: 'timeout', attempts: 1 });
        expect(retried?.leaseOwner).toBeUndefined();
        expect(retried?.leaseUntil).toBeUndefined();
        expect(await store.retryJob(job.id, 'w', at(MINUTE), 'again', at(SECOND))).toBe(false);

        expect(await store.claimJobs(at(59 * SECOND), 'w', MINUTE, 1)).toEqual([]);
        const [again] = await store.claimJobs(at(MINUTE), 'w2', MINUTE, 1);
        expect(again).toMatchObject({ id: job.id, attempts: 2, lastError: 'timeout', leaseOwner: 'w2' });
      });

      it('fails a job only for its lease owner', async () => {
        const job = await store.scheduleJob(newJob(), T0);
        await store.claimJobs(T0, 'w', MINUTE, 1);

        expect(await store.failJob(job.id, 'other', 'no', at(SECOND))).toBe(false);
        expect(await store.failJob(job.id, 'w', 'gave up', at(SECOND))).toBe(true);
        const failed = await store.getJob(job.id);
        expect(failed).toMatchObject({ status: 'failed', lastError: 'gave up', attempts: 1 });
        expect(failed?.leaseOwner).toBeUndefined();
        expect(await store.claimJobs(at(10 * MINUTE), 'w', MINUTE, 10)).toEqual([]);
        expect(await store.listJobs({ status: 'failed' })).toEqual([failed]);
      });

      it('releases a job only for its lease owner, without counting an attempt', async () => {
        const job = await store.scheduleJob(newJob(), T0);
        await store.claimJobs(T0, 'w', MINUTE, 1);

        expect(await store.releaseJob(job.id, 'other', at(SECOND))).toBe(false);
        expect(await store.releaseJob(job.id, 'w', at(SECOND))).toBe(true);
        const released = await store.getJob(job.id);
        expect(released).toMatchObject({ status: 'pending', attempts: 0, dueAt: T0 });
        expect(released?.leaseOwner).toBeUndefined();
        expect(released?.leaseUntil).toBeUndefined();

        const [again] = await store.claimJobs(at(SECOND), 'w2', MINUTE, 1);
        expect(again).toMatchObject({ id: job.id, attempts: 1, leaseOwner: 'w2' });
      });

      it('lists jobs by status and type', async () => {
        const a = await store.scheduleJob(newJob({ type: 'reminder', dueAt: T0 }), T0);
        const b = await store.scheduleJob(newJob({ type: 'revisit', dueAt: at(MINUTE) }), T0);
        const c = await store.scheduleJob(newJob({ type: 'reminder', dueAt: at(2 * MINUTE) }), T0);
        await store.claimJobs(T0, 'w', MINUTE, 1);

        const ids = async (filter: Parameters<Store['listJobs']>[0]) =>
          (await store.listJobs(filter)).map((j) => j.id).sort();
        expect(await ids({})).toEqual([a.id, b.id, c.id].sort());
        expect(await ids({ type: 'reminder' })).toEqual([a.id, c.id].sort());
        expect(await ids({ status: 'pending' })).toEqual([b.id, c.id].sort());
        expect(await store.listJobs({ status: 'pending', type: 'revisit' })).toEqual([b]);
        expect(await store.listJobs({ status: 'done' })).toEqual([]);
      });
    });

    describe('outbox', () => {
      it('enqueues items in order with their actions intact', async () => {
        const edit: OutboundAction = {
          kind: 'edit',
          ref: 'card:T261128-0007',
          message: {
            text: '工单 T261128-0007',
            buttons: [[{ label: 'Accept', data: 'acc:7' }], [{ label: 'Reject', data: 'rej:7' }]],
            photos: ['file-1'],
            replyToRef: 'card:T261128-0006',
          },
        };
        const items: NewOutboxItem[] = [
          send('telegram', 'chat-1', 'one'),
          { id: 'out-edit', channel: 'telegram', chatId: 'chat-1', action: edit },
          {
            id: 'out-prompt',
            channel: 'telegram',
            chatId: 'chat-2',
            action: {
              kind: 'send',
              message: { text: '请选择', buttons: [[{ label: '1', data: 'p:1' }]], ref: 'prompt:3' },
            },
          },
        ];
        const later = send('wechat', 'chat-3', 'later', at(MINUTE));
        await store.enqueue(items, T0);
        await store.enqueue([later], at(SECOND));

        const listed = await store.listOutbox({});
        expect(listed.map((i) => i.id)).toEqual([...items.map((i) => i.id), later.id]);
        const seqs = listed.map((i) => i.seq);
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(4);
        expect(listed[1]).toEqual({
          id: 'out-edit',
          seq: listed[1]?.seq,
          channel: 'telegram',
          chatId: 'chat-1',
          action: edit,
          status: 'pending',
          attempts: 0,
          notBefore: T0,
          createdAt: T0,
        });
        expect(listed[3]).toMatchObject({ notBefore: at(MINUTE), createdAt: at(SECOND) });

        expect((await store.listOutbox({ chatId: 'chat-1' })).map((i) => i.id)).toEqual([items[0]?.id, 'out-edit']);
        expect((await store.listOutbox({ channel: 'wechat' })).map((i) => i.chatId)).toEqual(['chat-3']);
        expect(await store.listOutbox({ status: 'sent' })).toEqual([]);
      });

      it('claims only the oldest undelivered item of each chat, ordered by seq', async () => {
        const a1 = send('telegram', 'chat-a', 'a1');
        const a2 = send('telegram', 'chat-a', 'a2');
        const b1 = send('telegram', 'chat-b', 'b1');
        const c1 = send('wechat', 'chat-a', 'c1');
        await store.enqueue([a1, a2, b1, c1], T0);

        const claimed = await store.claimOutbox(T0, 'w', MINUTE, 10);
        expect(claimed.map((i) => i.id)).toEqual([a1.id, b1.id, c1.id]);
        expect(claimed[0]).toMatchObject({
          status: 'sending',
          leaseOwner: 'w',
          leaseUntil: at(MINUTE),
          attempts: 0,
          action: a1.action,
        });
        expect(await store.claimOutbox(at(SECOND), 'w2', MINUTE, 10)).toEqual([]);

        await store.markOutboxSent(a1.id, 'pm-1', at(SECOND));
        const next = await store.claimOutbox(at(SECOND), 'w2', MINUTE, 10);
        expect(next.map((i) => i.id)).toEqual([a2.id]);

        const [sent] = await store.listOutbox({ status: 'sent' });
        expect(sent).toMatchObject({ id: a1.id, status: 'sent', platformMessageId: 'pm-1', attempts: 0 });
        expect(sent?.leaseOwner).toBeUndefined();
        expect(sent?.leaseUntil).toBeUndefined();
      });

      it('respects the limit', async () => {
        const items = ['a', 'b', 'c', 'd'].map((chat) => send('telegram', chat, chat));
        await store.enqueue(items, T0);
        expect((await store.claimOutbox(T0, 'w', MINUTE, 2)).map((i) => i.id)).toEqual([items[0]?.id, items[1]?.id]);
        expect((await store.claimOutbox(T0, 'w', MINUTE, 5)).map((i) => i.id)).toEqual([items[2]?.id, items[3]?.id]);
      });

      it('holds an item until its notBefore, and its chat behind it', async () => {
        const first = send('telegram', 'chat-a', 'first', at(MINUTE));
        const second = send('telegram', 'chat-a', 'second', at(2 * MINUTE));
        await store.enqueue([first, second], T0);

        expect(await store.claimOutbox(at(59 * SECOND), 'w', MINUTE, 10)).toEqual([]);
        expect((await store.claimOutbox(at(MINUTE), 'w', MINUTE, 10)).map((i) => i.id)).toEqual([first.id]);
      });

      it("brings a chat's deferred items forward when a later item is due sooner, keeping their order", async () => {
        const night = send('telegram', 'chat-a', 'held for the morning', at(8 * 60 * MINUTE));
        const other = send('telegram', 'chat-b', 'another chat, still held', at(8 * 60 * MINUTE));
        await store.enqueue([night, other], T0);
        const reply = send('telegram', 'chat-a', 'a reply due now');
        await store.enqueue([reply], at(SECOND));

        const [head] = await store.claimOutbox(at(SECOND), 'w', MINUTE, 10);
        expect(head).toMatchObject({ id: night.id, notBefore: at(SECOND) });
        await store.markOutboxSent(night.id, 'm1', at(2 * SECOND));
        expect((await store.claimOutbox(at(2 * SECOND), 'w', MINUTE, 10)).map((i) => i.id)).toEqual([reply.id]);
        expect((await store.listOutbox({ chatId: 'chat-b' }))[0]).toMatchObject({ notBefore: at(8 * 60 * MINUTE) });
      });

      it('brings deferred items forward within one batch too', async () => {
        const held = send('telegram', 'chat-a', 'held', at(MINUTE));
        const now = send('telegram', 'chat-a', 'due now');
        await store.enqueue([held, now], T0);
        expect((await store.claimOutbox(T0, 'w', MINUTE, 10)).map((i) => i.id)).toEqual([held.id]);
      });

      it('leaves an item waiting out a failed attempt where it is', async () => {
        const failed = send('telegram', 'chat-a', 'failed once');
        await store.enqueue([failed], T0);
        await store.claimOutbox(T0, 'w', MINUTE, 10);
        await store.markOutboxRetry(failed.id, at(MINUTE), 'boom', true);
        await store.enqueue([send('telegram', 'chat-a', 'next')], at(SECOND));
        expect(await store.claimOutbox(at(SECOND), 'w', MINUTE, 10)).toEqual([]);
        expect((await store.claimOutbox(at(MINUTE), 'w', MINUTE, 10)).map((i) => i.id)).toEqual([failed.id]);
      });

      it('leaves an item waiting out a platform rate limit where it is', async () => {
        const limited = send('telegram', 'chat-a', 'told to wait');
        await store.enqueue([limited], T0);
        await store.claimOutbox(T0, 'w', MINUTE, 10);
        await store.markOutboxRetry(limited.id, at(MINUTE), 'HTTP 429: retry after 60', false);
        await store.enqueue([send('telegram', 'chat-a', 'next')], at(SECOND));
        expect(await store.claimOutbox(at(SECOND), 'w', MINUTE, 10)).toEqual([]);
      });

      it('retries an item not before the given time, counting the attempt only when asked', async () => {
        const item = send('telegram', 'chat-a', 'hello');
        const behind = send('telegram', 'chat-a', 'after');
        await store.enqueue([item, behind], T0);
        await store.claimOutbox(T0, 'w', MINUTE, 10);

        await store.markOutboxRetry(item.id, at(MINUTE), '502 from the platform', true);
        const [retried] = await store.listOutbox({ chatId: 'chat-a' });
        expect(retried).toMatchObject({
          id: item.id,
          status: 'pending',
          attempts: 1,
          notBefore: at(MINUTE),
          lastError: '502 from the platform',
        });
        expect(retried?.leaseOwner).toBeUndefined();
        expect(await store.claimOutbox(at(59 * SECOND), 'w', MINUTE, 10)).toEqual([]);

        const [again] = await store.claimOutbox(at(MINUTE), 'w', MINUTE, 10);
        expect(again).toMatchObject({ id: item.id, attempts: 1, status: 'sending' });

        await store.markOutboxRetry(item.id, at(2 * MINUTE), undefined, false);
        const [waited] = await store.listOutbox({ chatId: 'chat-a' });
        expect(waited).toMatchObject({ status: 'pending', attempts: 1, notBefore: at(2 * MINUTE) });
      });

      it('lets another worker take over an item whose lease expired, without counting an attempt', async () => {
        const item = send('telegram', 'chat-a', 'hello');
        await store.enqueue([item], T0);
        await store.claimOutbox(T0, 'a', 30 * SECOND, 10);

        expect(await store.claimOutbox(at(30 * SECOND), 'b', 30 * SECOND, 10)).toEqual([]);
        const [taken] = await store.claimOutbox(at(31 * SECOND), 'b', 30 * SECOND, 10);
        expect(taken).toMatchObject({ id: item.id, status: 'sending', leaseOwner: 'b', attempts: 0 });
        expect(await store.claimOutbox(at(32 * SECOND), 'c', 30 * SECOND, 10)).toEqual([]);
      });

      it('marks an item taken over from an expired lease, and only such an item', async () => {
        const a = send('telegram', 'chat-a', 'a');
        const b = send('telegram', 'chat-b', 'b');
        await store.enqueue([a], T0);
        await store.claimOutbox(T0, 'crashed', 4 * SECOND, 10);
        await store.enqueue([b], at(SECOND));
        const claimed = await store.claimOutbox(at(5 * SECOND), 'w', 4 * SECOND, 10);
        expect(claimed.map((i) => [i.id, i.takenOver === true])).toEqual([
          [a.id, true],
          [b.id, false],
        ]);
      });

      it("renews only its own worker's leases, so a live delivery is not taken over", async () => {
        const item = send('telegram', 'chat-a', 'slow');
        await store.enqueue([item], T0);
        await store.claimOutbox(T0, 'a', 4 * SECOND, 10);

        expect(await store.renewOutboxLeases([item.id], 'b', at(9 * SECOND))).toBe(0);
        expect(await store.renewOutboxLeases([item.id], 'a', at(7 * SECOND))).toBe(1);
        expect(await store.claimOutbox(at(6 * SECOND), 'b', 4 * SECOND, 10)).toEqual([]);
        const [taken] = await store.claimOutbox(at(8 * SECOND), 'b', 4 * SECOND, 10);
        expect(taken).toMatchObject({ id: item.id, leaseOwner: 'b', takenOver: true });
        // Once settled, a lease is no longer renewed.
        await store.markOutboxSent(item.id, 'pm-1', at(8 * SECOND));
        expect(await store.renewOutboxLeases([item.id], 'b', at(20 * SECOND))).toBe(0);
      });

      it('writes "sent", the platform id and the ref in one write, so the next item finds the ref', async () => {
        const card = send('telegram', 'staff', 'card');
        const edit: NewOutboxItem = {
          id: 'out-card-edit',
          channel: 'telegram',
          chatId: 'staff',
          action: { kind: 'edit', ref: 'card:T261128-0009', message: { text: 'card, accepted' } },
        };
        await store.enqueue([card, edit], T0);
        await store.claimOutbox(T0, 'a', MINUTE, 10);
        await store.markOutboxSent(card.id, 'pm-9', at(SECOND), { ref: 'card:T261128-0009' });

        const [next] = await store.claimOutbox(at(SECOND), 'b', MINUTE, 10);
        expect(next?.id).toBe(edit.id);
        expect(await store.getMessageRef('telegram', 'staff', 'card:T261128-0009')).toBe('pm-9');
        expect(await store.findRefByMessage('telegram', 'staff', 'pm-9')).toBe('card:T261128-0009');
        const [sent] = await store.listOutbox({ status: 'sent' });
        expect(sent).toMatchObject({ id: card.id, platformMessageId: 'pm-9' });
        expect(sent?.lastError).toBeUndefined();

        // A settled item is not settled again, and its ref is not moved.
        await store.markOutboxSent(card.id, 'pm-10', at(2 * SECOND), { ref: 'card:T261128-0009' });
        expect(await store.getMessageRef('telegram', 'staff', 'card:T261128-0009')).toBe('pm-9');
      });

      it('claims an edit or a reply with the platform id of the message it points at', async () => {
        const card: NewOutboxItem = {
          id: 'out-card',
          channel: 'telegram',
          chatId: 'staff',
          action: { kind: 'send', message: { text: 'card', ref: 'card:T1' } },
        };
        const edit: NewOutboxItem = {
          id: 'out-card-edit',
          channel: 'telegram',
          chatId: 'staff',
          action: { kind: 'edit', ref: 'card:T1', message: { text: 'card, accepted' } },
        };
        const reply: NewOutboxItem = {
          id: 'out-reply',
          channel: 'telegram',
          chatId: 'staff',
          action: { kind: 'send', message: { text: 'a note', replyToRef: 'card:T1' } },
        };
        const orphan: NewOutboxItem = {
          id: 'out-orphan',
          channel: 'telegram',
          chatId: 'other',
          action: { kind: 'edit', ref: 'card:T1', message: { text: 'never sent here' } },
        };
        await store.enqueue([card, edit, reply, orphan], T0);
        const first = await store.claimOutbox(T0, 'w', MINUTE, 10);
        expect(first.map((i) => [i.id, i.target])).toEqual([
          ['out-card', undefined],
          ['out-orphan', undefined],
        ]);
        await store.markOutboxSent(card.id, 'pm-1', at(SECOND), { ref: 'card:T1' });
        const [claimedEdit] = await store.claimOutbox(at(SECOND), 'w', MINUTE, 10);
        expect(claimedEdit).toMatchObject({ id: edit.id, target: 'pm-1' });
        await store.markOutboxSent(edit.id, 'pm-1', at(SECOND));
        const [claimedReply] = await store.claimOutbox(at(SECOND), 'w', MINUTE, 10);
        expect(claimedReply).toMatchObject({ id: reply.id, target: 'pm-1' });
        // The target is the claim's, never stored.
        expect((await store.listOutbox({ chatId: 'staff' })).some((i) => 'target' in i)).toBe(false);
      });

      it('brings with a message the platform id of the question its closing edit closes, when that was sent', async () => {
        const question: NewOutboxItem = {
          id: 'out-q1',
          channel: 'telegram',
          chatId: 'owner-c',
          action: { kind: 'send', message: { text: 'question 1', ref: 'prompt:1' } },
        };
        const closes = { ref: 'prompt:1', message: { text: 'question 1, answered' } };
        const next: NewOutboxItem = {
          id: 'out-q2',
          channel: 'telegram',
          chatId: 'owner-c',
          action: { kind: 'send', message: { text: 'question 2', ref: 'prompt:2' }, closes },
        };
        const elsewhere: NewOutboxItem = { ...next, id: 'out-q2-elsewhere', chatId: 'owner-d' };
        await store.enqueue([question, next, elsewhere], T0);
        const first = await store.claimOutbox(T0, 'w', MINUTE, 10);
        expect(first.map((i) => [i.id, i.closesTarget])).toEqual([
          ['out-q1', undefined],
          ['out-q2-elsewhere', undefined],
        ]);
        await store.markOutboxSent(question.id, 'pm-7', at(SECOND), { ref: 'prompt:1' });
        const [claimed] = await store.claimOutbox(at(SECOND), 'w', MINUTE, 10);
        expect(claimed).toMatchObject({ id: next.id, action: { closes }, closesTarget: 'pm-7' });
        expect((await store.listOutbox({ chatId: 'owner-c' })).some((i) => 'closesTarget' in i)).toBe(false);
      });

      it('lets due items of a chat go before its cosmetic edits, never an edit before an earlier item', async () => {
        const closing = (n: number, text = 'closed', chatId = 'chat-a'): NewOutboxItem => {
          outboxCounter += 1;
          return {
            id: `out-${outboxCounter}`,
            channel: 'telegram',
            chatId,
            action: { kind: 'edit', ref: `prompt:${n}`, message: { text } },
            cosmetic: true,
          };
        };
        const q1 = send('telegram', 'chat-a', 'question 1');
        const c1 = closing(1);
        const q2 = send('telegram', 'chat-a', 'question 2');
        await store.enqueue([q1, c1, q2], T0);
        expect((await store.listOutbox({ chatId: 'chat-a' })).map((i) => i.cosmetic ?? false)).toEqual([
          false,
          true,
          false,
        ]);
        // The first question first (the edit never overtakes an earlier item), then the next question.
        const claim = async (t: Date) => (await store.claimOutbox(t, 'w', MINUTE, 10)).map((i) => i.id);
        expect(await claim(T0)).toEqual([q1.id]);
        expect(await claim(T0)).toEqual([]);
        await store.markOutboxSent(q1.id, 'pm-1', T0);
        expect(await claim(T0)).toEqual([q2.id]);
        // While the chat is being sent to, nothing else of it goes.
        expect(await claim(T0)).toEqual([]);
        await store.markOutboxSent(q2.id, 'pm-2', T0);
        const [edit] = await store.claimOutbox(T0, 'w', MINUTE, 10);
        expect(edit).toMatchObject({ id: c1.id, cosmetic: true });

        // A cosmetic edit held back waits for any later item that is due, not for one due later.
        await store.markOutboxRetry(c1.id, at(SECOND), undefined, false);
        const later = send('telegram', 'chat-a', 'held for the morning', at(60 * MINUTE));
        await store.enqueue([later], T0);
        expect(await claim(at(SECOND))).toEqual([c1.id]);
        await store.markOutboxSent(c1.id, 'pm-1', at(SECOND));
        expect(await claim(at(SECOND))).toEqual([]);

        // Of two cosmetic edits of one message not yet made, the later alone is made.
        const c2 = closing(2, 'closed once', 'chat-b');
        const c2again = closing(2, 'closed twice', 'chat-b');
        await store.enqueue([c2, c2again], at(2 * SECOND));
        expect(await claim(at(2 * SECOND))).toEqual([c2again.id]);
        const superseded = (await store.listOutbox({ chatId: 'chat-b' })).find((i) => i.id === c2.id);
        expect(superseded).toMatchObject({ status: 'sent', lastError: expect.stringMatching(/superseded/) });
      });

      it('keeps a note on an item sent with an uncertain outcome', async () => {
        const item = send('telegram', 'chat-a', 'maybe');
        await store.enqueue([item], T0);
        await store.claimOutbox(T0, 'w', MINUTE, 10);
        await store.markOutboxSent(item.id, undefined, at(SECOND), { note: 'outcome unknown: timed out' });
        const [sent] = await store.listOutbox({ chatId: 'chat-a' });
        expect(sent).toMatchObject({ status: 'sent', lastError: 'outcome unknown: timed out' });
        expect(sent?.platformMessageId).toBeUndefined();
      });

      it('dead-letters an item without blocking the rest of its chat', async () => {
        const poison = send('telegram', 'chat-a', 'poison');
        const next = send('telegram', 'chat-a', 'next');
        await store.enqueue([poison, next], T0);
        await store.claimOutbox(T0, 'w', MINUTE, 10);

        await store.markOutboxDead(poison.id, '400 bad request', at(SECOND));
        const [dead] = await store.listOutbox({ status: 'dead' });
        expect(dead).toMatchObject({ id: poison.id, status: 'dead', lastError: '400 bad request' });
        expect(dead?.leaseOwner).toBeUndefined();
        expect((await store.claimOutbox(at(SECOND), 'w', MINUTE, 10)).map((i) => i.id)).toEqual([next.id]);
      });
    });

    describe('message refs', () => {
      it('maps refs to platform messages and back, per chat', async () => {
        await store.setMessageRef('telegram', 'staff', 'card:T261128-0007', '501');
        await store.setMessageRef('telegram', 'staff', 'card:T261128-0008', '502');

        expect(await store.getMessageRef('telegram', 'staff', 'card:T261128-0007')).toBe('501');
        expect(await store.findRefByMessage('telegram', 'staff', '502')).toBe('card:T261128-0008');
        expect(await store.getMessageRef('telegram', 'other', 'card:T261128-0007')).toBeUndefined();
        expect(await store.getMessageRef('wechat', 'staff', 'card:T261128-0007')).toBeUndefined();
        expect(await store.findRefByMessage('telegram', 'other', '501')).toBeUndefined();

        await store.setMessageRef('telegram', 'staff', 'card:T261128-0007', '601');
        expect(await store.getMessageRef('telegram', 'staff', 'card:T261128-0007')).toBe('601');
        expect(await store.findRefByMessage('telegram', 'staff', '601')).toBe('card:T261128-0007');
        expect(await store.findRefByMessage('telegram', 'staff', '501')).toBeUndefined();
      });
    });

    describe('settings', () => {
      it('reads, writes and overwrites settings', async () => {
        expect(await store.getSetting('staff_chat')).toBeUndefined();
        await store.setSetting('staff_chat', '-100123');
        expect(await store.getSetting('staff_chat')).toBe('-100123');
        await store.setSetting('staff_chat', '-100456');
        expect(await store.getSetting('staff_chat')).toBe('-100456');
        await store.setSetting('empty', '');
        expect(await store.getSetting('empty')).toBe('');
      });
    });

    describe('praise', () => {
      const praise = (id: string, offset: number, team: Praise['team'], extra: Partial<Praise> = {}): Praise => ({
        id,
        ownerId: 'o1',
        channel: 'wechat',
        text: '表扬一下3栋的保洁阿姨',
        team,
        at: at(offset),
        ...extra,
      });

      it('records praise once and lists a period newest first, with every field', async () => {
        const named = praise('p2', 2 * HOUR, 'engineering', {
          staff: { id: 'console:li', name: '李师傅' },
          place: '3栋',
        });
        await store.addPraise(praise('p1', HOUR, 'cleaning'));
        await store.addPraise(named);
        await store.addPraise({ ...named, text: 'changed' }); // the same id again: nothing changes
        await store.addPraise(praise('p3', 2 * DAY, 'cleaning'));
        const day = { from: T0, to: at(DAY) };
        expect(await store.listPraise(day)).toEqual([named, praise('p1', HOUR, 'cleaning')]);
        expect(await store.listPraise(day, 1)).toEqual([named]);
        expect(await store.listPraise({ from: at(2 * HOUR), to: at(2 * HOUR) })).toEqual([]);
      });

      it('counts a period (from inclusive, to exclusive) in total and per team', async () => {
        await store.addPraise(praise('p1', 0, 'cleaning'));
        await store.addPraise(praise('p2', HOUR, 'cleaning'));
        await store.addPraise(praise('p3', 2 * HOUR, 'security'));
        await store.addPraise(praise('p4', DAY, 'all'));
        expect(await store.countPraise({ from: T0, to: at(DAY) })).toEqual({
          total: 3,
          byTeam: { cleaning: 2, security: 1 },
        });
        expect(await store.countPraise({ from: at(3 * DAY), to: at(4 * DAY) })).toEqual({ total: 0, byTeam: {} });
      });

      it('takes praise inside a transaction', async () => {
        await store.transaction(async (tx) => tx.addPraise(praise('p1', 0, 'service')));
        expect((await store.countPraise({ from: T0, to: at(DAY) })).total).toBe(1);
      });
    });

    describe('enquiries', () => {
      const enquiry = (id: string, offset: number, extra: Partial<Enquiry> = {}): Enquiry => ({
        id,
        ownerId: 'o1',
        channel: 'wechat',
        chatId: 'chat-o1',
        locale: 'zh-CN',
        text: '物业费怎么交？',
        kind: 'enquiry',
        status: 'answered',
        askedAt: at(offset),
        updatedAt: at(offset),
        ...extra,
      });
      const full = enquiry('Q002', HOUR, {
        building: '3',
        kind: 'human',
        status: 'staff',
        matched: ['fees.pay', 'fees.late'],
        topic: 'fees',
        helpful: false,
        dueAt: at(3 * HOUR),
        remindedAt: at(2 * HOUR),
        escalatedAt: at(2 * HOUR + MINUTE),
        answer: '可以在服务中心或微信缴费。',
        answeredBy: { id: 'console:li', name: '李经理' },
        answeredAt: at(2 * HOUR + 5 * MINUTE),
        savedAs: 'learned.K001',
        updatedAt: at(2 * HOUR + 5 * MINUTE),
      });

      it('creates an enquiry once, reads it back with every field, and replaces it by id', async () => {
        const plain = enquiry('Q001', 0);
        await store.createEnquiry(plain);
        await store.createEnquiry(full);
        expect(await store.getEnquiry('Q001')).toEqual(plain);
        expect(await store.getEnquiry('Q002')).toEqual(full);
        expect((await store.getEnquiry('Q002'))?.askedAt).toBeInstanceOf(Date);
        expect(await store.getEnquiry('Q404')).toBeUndefined();
        await expect(store.createEnquiry({ ...plain, text: 'again' })).rejects.toMatchObject(conflict);
        expect(await store.getEnquiry('Q001')).toEqual(plain);

        const waiting = { ...plain, status: 'waiting' as const, helpful: false, dueAt: at(DAY), updatedAt: at(MINUTE) };
        await store.saveEnquiry(waiting);
        expect(await store.getEnquiry('Q001')).toEqual(waiting);
        expect(await store.listEnquiries({ statuses: ['waiting'] })).toEqual([waiting]);
        const fresh = enquiry('Q003', 2 * HOUR);
        await store.saveEnquiry(fresh); // saving an id not seen yet inserts it
        expect(await store.getEnquiry('Q003')).toEqual(fresh);
      });

      it('lists newest first, filtered by status, owner and period (from inclusive, to exclusive), at most limit', async () => {
        const a = enquiry('Q001', 0, { status: 'waiting' });
        const b = enquiry('Q002', HOUR, { ownerId: 'o2' });
        const c = enquiry('Q003', HOUR, { status: 'staff' }); // same instant as b: the larger id first
        const d = enquiry('Q004', DAY, { status: 'closed' });
        await store.transaction(async (tx) => {
          for (const e of [c, a, d, b]) await tx.createEnquiry(e);
        });
        expect(await store.listEnquiries()).toEqual([d, c, b, a]);
        expect(await store.listEnquiries({ limit: 2 })).toEqual([d, c]);
        expect(await store.listEnquiries({ statuses: ['waiting', 'staff'] })).toEqual([c, a]);
        expect(await store.listEnquiries({ statuses: [] })).toEqual([]);
        expect(await store.listEnquiries({ ownerId: 'o2' })).toEqual([b]);
        expect(await store.listEnquiries({ ownerId: 'o1', statuses: ['answered'] })).toEqual([]);
        expect(await store.listEnquiries({ period: { from: T0, to: at(DAY) } })).toEqual([c, b, a]);
        expect(await store.listEnquiries({ period: { from: at(HOUR), to: at(DAY + 1) } })).toEqual([d, c, b]);
        expect(await store.listEnquiries({ period: { from: at(HOUR), to: at(HOUR) } })).toEqual([]);
      });

      it('lists at most 100 unless told otherwise', async () => {
        await store.transaction(async (tx) => {
          for (let i = 0; i < 101; i += 1)
            await tx.createEnquiry(enquiry(`Q${String(i).padStart(3, '0')}`, i * SECOND));
        });
        const listed = await store.listEnquiries();
        expect(listed).toHaveLength(100);
        expect(listed[0]?.id).toBe('Q100');
        expect(listed.at(-1)?.id).toBe('Q001');
        expect(await store.listEnquiries({ limit: 200 })).toHaveLength(101);
      });

      it('counts a period by outcome and topic', async () => {
        await store.transaction(async (tx) => {
          await tx.createEnquiry(enquiry('Q001', 0, { topic: 'fees' })); // answered
          await tx.createEnquiry(enquiry('Q002', MINUTE, { topic: 'fees', helpful: true })); // answered
          // Answered from the knowledge but turned down by the owner (and not yet moved on): not answered.
          await tx.createEnquiry(enquiry('Q003', 2 * MINUTE, { topic: 'parking', helpful: false }));
          await tx.createEnquiry(enquiry('Q004', 3 * MINUTE, { status: 'staff', answer: '好的', topic: 'pets' }));
          await tx.createEnquiry(enquiry('Q005', 4 * MINUTE, { status: 'waiting', helpful: false, topic: 'fees' }));
          await tx.createEnquiry(enquiry('Q006', 5 * MINUTE, { status: 'closed' })); // unanswered, no topic
          // Closed after staff had answered: neither staff's count nor unanswered.
          await tx.createEnquiry(enquiry('Q007', 6 * MINUTE, { status: 'closed', answer: '已答复' }));
          await tx.createEnquiry(enquiry('Q008', DAY, { topic: 'fees' })); // outside the period
          await tx.createEnquiry(enquiry('Q009', -SECOND, { status: 'waiting' })); // outside the period
        });
        expect(await store.countEnquiries({ from: T0, to: at(DAY) })).toEqual({
          total: 7,
          answered: 2,
          staff: 1,
          unanswered: 2,
          byTopic: { fees: 3, parking: 1, pets: 1 },
        });
        expect(await store.countEnquiries({ from: at(2 * DAY), to: at(3 * DAY) })).toEqual({
          total: 0,
          answered: 0,
          staff: 0,
          unanswered: 0,
          byTopic: {},
        });
        expect(await store.transaction((tx) => tx.countEnquiries({ from: at(DAY), to: at(2 * DAY) }))).toEqual({
          total: 1,
          answered: 1,
          staff: 0,
          unanswered: 0,
          byTopic: { fees: 1 },
        });
      });

      it('saves, lists (oldest first) and deletes staff-saved knowledge entries', async () => {
        const first: KnowledgeEntry = {
          id: 'learned.K002',
          topic: 'parking',
          questions: { 'zh-CN': ['临时车位怎么申请？'] },
          answer: { 'zh-CN': '请到服务中心登记车牌。' },
          source: 'staff:console:li',
          createdBy: 'console:li',
          createdAt: T0,
          fromEnquiry: 'Q012',
        };
        const second: KnowledgeEntry = {
          id: 'learned.K001',
          topic: 'pets',
          questions: { en: ['Can I walk my dog in the garden?'], 'zh-CN': ['花园能遛狗吗？'] },
          answer: { en: 'Yes, on a leash.' },
          keywords: { 'zh-CN': ['遛狗'] },
          source: 'staff:console:wang',
          createdBy: 'console:wang',
          createdAt: at(HOUR),
        };
        expect(await store.listKnowledgeEntries()).toEqual([]);
        await store.saveKnowledgeEntry(second);
        await store.saveKnowledgeEntry(first);
        expect(await store.listKnowledgeEntries()).toEqual([first, second]);
        expect((await store.listKnowledgeEntries())[0]?.createdAt).toBeInstanceOf(Date);

        const edited = { ...first, answer: { 'zh-CN': '请带行驶证到服务中心登记。', en: 'Register at the office.' } };
        await store.saveKnowledgeEntry(edited);
        expect(await store.listKnowledgeEntries()).toEqual([edited, second]);

        expect(await store.deleteKnowledgeEntry('learned.K002')).toBe(true);
        expect(await store.deleteKnowledgeEntry('learned.K002')).toBe(false);
        expect(await store.listKnowledgeEntries()).toEqual([second]);
      });

      it('writes nothing of a transaction that fails', async () => {
        const attempt = store.transaction(async (tx) => {
          await tx.createEnquiry(enquiry('Q001', 0));
          await tx.saveKnowledgeEntry({
            id: 'learned.K001',
            topic: 'other',
            questions: { en: ['x?'] },
            answer: { en: 'y' },
            source: 'staff:s1',
          });
          throw new Error('boom');
        });
        await expect(attempt).rejects.toThrow('boom');
        expect(await store.getEnquiry('Q001')).toBeUndefined();
        expect(await store.listKnowledgeEntries()).toEqual([]);
      });
    });

    describe('notices', () => {
      const notice = (id: string, offset: number, extra: Partial<Notice> = {}): Notice => ({
        id,
        kind: 'outage_water',
        urgent: false,
        target: { kind: 'all' },
        text: { 'zh-CN': '12月8日9:00至17:00停水。' },
        validFrom: at(offset + DAY),
        validTo: at(offset + 2 * DAY),
        status: 'draft',
        createdBy: 'console:li',
        createdAt: at(offset),
        updatedAt: at(offset),
        corrections: [],
        ...extra,
      });
      const delivery = (noticeId: string, ownerId: string, extra: Partial<NoticeDelivery> = {}): NoticeDelivery => ({
        noticeId,
        ownerId,
        channel: 'telegram',
        chatId: `chat-${ownerId}`,
        sentAt: T0,
        updatesSent: 0,
        ...extra,
      });

      it('creates a notice once, reads it back with every field, and replaces it by id', async () => {
        const plain = notice('N001', 0);
        const full = notice('N002', HOUR, {
          kind: 'weather',
          urgent: true,
          target: { kind: 'places', places: ['3', '5-2'] },
          text: { 'zh-CN': '今晚有台风，请关好门窗。', en: 'A typhoon tonight: please close your windows.' },
          photo: { channel: 'telegram', fileRef: 'file-1' },
          sendAt: at(2 * HOUR),
          status: 'published',
          previewedAt: at(HOUR + MINUTE),
          publishedBy: 'console:wang',
          publishedAt: at(HOUR + 2 * MINUTE),
          sentDoneAt: at(2 * HOUR + MINUTE),
          corrections: [
            { at: at(3 * HOUR), by: 'console:wang', text: { 'zh-CN': '改为明晚。' } },
            { at: at(4 * HOUR), by: 'console:li', text: { en: 'Moved to tomorrow night.' } },
          ],
          cancelledAt: at(5 * HOUR),
          expiredAt: at(6 * HOUR),
          remindedAt: at(7 * HOUR),
        });
        await store.createNotice(plain);
        await store.createNotice(full);
        expect(await store.getNotice('N001')).toEqual(plain);
        const read = await store.getNotice('N002');
        expect(read).toEqual(full);
        expect(read?.corrections[0]?.at).toBeInstanceOf(Date);
        expect(read?.validTo).toBeInstanceOf(Date);
        expect(await store.getNotice('N404')).toBeUndefined();
        await expect(store.createNotice({ ...plain, kind: 'event' })).rejects.toMatchObject(conflict);
        expect(await store.getNotice('N001')).toEqual(plain);

        const published = { ...plain, status: 'published' as const, publishedAt: at(MINUTE), updatedAt: at(MINUTE) };
        await store.saveNotice(published);
        expect(await store.getNotice('N001')).toEqual(published);
        expect(await store.listNotices({ statuses: ['draft'] })).toEqual([]);
        const fresh = notice('N003', 0);
        await store.saveNotice(fresh);
        expect(await store.getNotice('N003')).toEqual(fresh);
      });

      it('lists newest first, by status or active at an instant, at most limit', async () => {
        const draft = notice('N001', 0);
        const live = notice('N002', HOUR, { status: 'published' }); // valid until HOUR + 2 days
        const ending = notice('N003', HOUR, { status: 'published', validTo: at(DAY) }); // same instant: larger id first
        const cancelled = notice('N004', 2 * HOUR, { status: 'cancelled', validTo: at(9 * DAY) });
        const scheduled = notice('N005', 3 * HOUR, { status: 'scheduled', validTo: at(9 * DAY) });
        await store.transaction(async (tx) => {
          for (const n of [live, scheduled, draft, cancelled, ending]) await tx.createNotice(n);
        });
        expect(await store.listNotices()).toEqual([scheduled, cancelled, ending, live, draft]);
        expect(await store.listNotices({ limit: 2 })).toEqual([scheduled, cancelled]);
        expect(await store.listNotices({ statuses: ['draft', 'scheduled'] })).toEqual([scheduled, draft]);
        expect(await store.listNotices({ statuses: [] })).toEqual([]);
        expect(await store.listNotices({ activeAt: at(HOUR) })).toEqual([ending, live]);
        expect(await store.listNotices({ activeAt: at(DAY) })).toEqual([live]); // validTo is exclusive
        expect(await store.listNotices({ activeAt: at(9 * DAY) })).toEqual([]);
        expect(await store.listNotices({ activeAt: at(HOUR), limit: 1 })).toEqual([ending]);
        expect(await store.listNotices({ activeAt: at(HOUR), statuses: ['scheduled'] })).toEqual([]);
      });

      it('records one delivery per notice and owner, and replaces it when saved', async () => {
        await store.createNotice(notice('N001', 0));
        const first = delivery('N001', 'o1');
        expect(await store.addNoticeDelivery(first)).toBe(true);
        expect(await store.addNoticeDelivery({ ...first, chatId: 'other', sentAt: at(HOUR) })).toBe(false);
        expect(await store.getNoticeDelivery('N001', 'o1')).toEqual(first);
        expect(await store.addNoticeDelivery(delivery('N002', 'o1'))).toBe(true); // another notice, same owner
        expect(await store.getNoticeDelivery('N001', 'o2')).toBeUndefined();

        const read = { ...first, readAt: at(HOUR), remindedAt: at(30 * MINUTE), updatesSent: 2 };
        await store.saveNoticeDelivery(read);
        const back = await store.getNoticeDelivery('N001', 'o1');
        expect(back).toEqual(read);
        expect(back?.readAt).toBeInstanceOf(Date);
        expect(await store.getNoticeDelivery('N002', 'o1')).toEqual(delivery('N002', 'o1'));
        expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 1, read: 1 });
      });

      it("lists a notice's deliveries in owner id order: unread, after an owner, at most limit", async () => {
        const owners = ['o5', 'o1', 'o3', 'o2', 'o4'];
        await store.transaction(async (tx) => {
          for (const owner of owners) await tx.addNoticeDelivery(delivery('N001', owner));
          await tx.addNoticeDelivery(delivery('N002', 'o0'));
        });
        await store.saveNoticeDelivery(delivery('N001', 'o2', { readAt: at(HOUR) }));
        await store.saveNoticeDelivery(delivery('N001', 'o4', { readAt: at(HOUR) }));
        const ids = (list: NoticeDelivery[]) => list.map((d) => d.ownerId);
        expect(ids(await store.listNoticeDeliveries('N001'))).toEqual(['o1', 'o2', 'o3', 'o4', 'o5']);
        expect(ids(await store.listNoticeDeliveries('N001', { unread: true }))).toEqual(['o1', 'o3', 'o5']);
        expect(ids(await store.listNoticeDeliveries('N001', { afterOwnerId: 'o2', limit: 2 }))).toEqual(['o3', 'o4']);
        expect(ids(await store.listNoticeDeliveries('N001', { unread: true, afterOwnerId: 'o1', limit: 1 }))).toEqual([
          'o3',
        ]);
        expect(ids(await store.listNoticeDeliveries('N001', { afterOwnerId: 'o5' }))).toEqual([]);
        expect(await store.listNoticeDeliveries('N404')).toEqual([]);
        expect((await store.listNoticeDeliveries('N001', { limit: 1 }))[0]).toEqual(delivery('N001', 'o1'));
        expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 5, read: 2 });
        expect(await store.countNoticeDeliveries('N002')).toEqual({ sent: 1, read: 0 });
        expect(await store.countNoticeDeliveries('N404')).toEqual({ sent: 0, read: 0 });
      });

      it('lists at most 100 deliveries unless told otherwise', async () => {
        await store.transaction(async (tx) => {
          for (let i = 0; i < 101; i += 1)
            await tx.addNoticeDelivery(delivery('N001', `o${String(i).padStart(3, '0')}`));
        });
        const listed = await store.listNoticeDeliveries('N001');
        expect(listed).toHaveLength(100);
        expect(listed.at(-1)?.ownerId).toBe('o099');
        expect(await store.listNoticeDeliveries('N001', { limit: 500 })).toHaveLength(101);
      });

      it('rolls back a delivery (and the notice saved with it) when the transaction fails', async () => {
        await store.createNotice(notice('N001', 0));
        const attempt = store.transaction(async (tx) => {
          expect(await tx.addNoticeDelivery(delivery('N001', 'o1'))).toBe(true);
          await tx.saveNotice(notice('N001', 0, { status: 'published', sentDoneAt: at(MINUTE) }));
          expect(await tx.countNoticeDeliveries('N001')).toEqual({ sent: 1, read: 0 });
          throw new Error('boom');
        });
        await expect(attempt).rejects.toThrow('boom');
        expect(await store.getNoticeDelivery('N001', 'o1')).toBeUndefined();
        expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 0, read: 0 });
        expect(await store.getNotice('N001')).toEqual(notice('N001', 0));
        // The owner can be sent it again after the rollback.
        expect(await store.transaction((tx) => tx.addNoticeDelivery(delivery('N001', 'o1')))).toBe(true);
        expect(await store.countNoticeDeliveries('N001')).toEqual({ sent: 1, read: 0 });
      });
    });

    describe('surveys', () => {
      function campaign(overrides: Partial<SurveyCampaign> = {}): SurveyCampaign {
        return {
          id: 'S001',
          questionnaireId: 'residential',
          questionnaireVersion: 1,
          name: '2026 年度满意度调查',
          status: 'draft',
          target: { kind: 'buildings', buildings: ['3', '5'] },
          startAt: at(MINUTE),
          endAt: at(14 * 24 * 60 * MINUTE),
          createdBy: 'telegram:42',
          createdAt: T0,
          updatedAt: T0,
          invitedCount: 0,
          ...overrides,
        };
      }

      function invitation(overrides: Partial<SurveyInvitation> = {}): SurveyInvitation {
        return {
          campaignId: 'S001',
          ownerId: 'owner-a',
          status: 'invited',
          channel: 'telegram',
          chatId: 'chat-a',
          building: '3',
          invitedAt: T0,
          ...overrides,
        };
      }

      function response(overrides: Partial<SurveyResponse> = {}): SurveyResponse {
        return {
          id: 'r-1',
          campaignId: 'S001',
          ownerId: 'owner-a',
          questionnaireVersion: 1,
          answers: { overall: 4, improve: ['cleaning', 'fees'], comments: '电梯间很干净', follow_up: false },
          building: '3',
          channel: 'telegram',
          submittedAt: at(MINUTE),
          ...overrides,
        };
      }

      it('creates, reads, replaces and lists campaigns newest first', async () => {
        const first = campaign();
        await store.createSurveyCampaign(first);
        expect(await store.getSurveyCampaign('S001')).toEqual(first);
        expect(await store.getSurveyCampaign('S999')).toBeUndefined();
        await expect(store.createSurveyCampaign(campaign({ name: 'again' }))).rejects.toMatchObject(conflict);

        const running = campaign({
          status: 'running',
          previewedAt: at(SECOND),
          startedAt: at(MINUTE),
          invitedCount: 12,
          invitationsDoneAt: at(2 * MINUTE),
          updatedAt: at(2 * MINUTE),
        });
        await store.saveSurveyCampaign(running);
        expect(await store.getSurveyCampaign('S001')).toEqual(running);

        const second = campaign({
          id: 'S002',
          target: { kind: 'all' },
          createdAt: at(MINUTE),
          startAt: undefined,
          endAt: undefined,
        });
        const { startAt: _s, endAt: _e, ...withoutDates } = second;
        await store.saveSurveyCampaign(withoutDates);
        const other = campaign({
          id: 'S003',
          questionnaireId: 'parking',
          createdAt: at(2 * MINUTE),
          status: 'closed',
          closedAt: at(3 * MINUTE),
        });
        await store.createSurveyCampaign(other);

        expect((await store.listSurveyCampaigns()).map((c) => c.id)).toEqual(['S003', 'S002', 'S001']);
        expect(await store.getSurveyCampaign('S002')).toEqual(withoutDates);
        expect((await store.listSurveyCampaigns({ questionnaireId: 'residential' })).map((c) => c.id)).toEqual([
          'S002',
          'S001',
        ]);
        expect((await store.listSurveyCampaigns({ statuses: ['running', 'closed'] })).map((c) => c.id)).toEqual([
          'S003',
          'S001',
        ]);
        expect(await store.listSurveyCampaigns({ statuses: [] })).toEqual([]);
      });

      it('records an invitation once per campaign and owner', async () => {
        const first = invitation({ draft: { overall: 2, improve: ['lift'] } });
        expect(await store.addSurveyInvitation(first)).toBe(true);
        expect(await store.addSurveyInvitation(invitation({ chatId: 'elsewhere', invitedAt: at(MINUTE) }))).toBe(false);
        expect(await store.getSurveyInvitation('S001', 'owner-a')).toEqual(first);
        expect(await store.addSurveyInvitation(invitation({ campaignId: 'S002' }))).toBe(true);
        expect(await store.getSurveyInvitation('S001', 'owner-b')).toBeUndefined();
      });

      it('updates invitations and lists them by status and last contact, oldest first', async () => {
        await store.addSurveyInvitation(invitation({ ownerId: 'owner-b', invitedAt: at(MINUTE) }));
        await store.addSurveyInvitation(invitation({ ownerId: 'owner-a', invitedAt: at(MINUTE) }));
        await store.addSurveyInvitation(invitation({ ownerId: 'owner-c', invitedAt: T0 }));
        await store.addSurveyInvitation(
          invitation({ campaignId: 'S002', ownerId: 'owner-a', invitedAt: at(5 * MINUTE) }),
        );

        const reminded = invitation({
          ownerId: 'owner-c',
          invitedAt: T0,
          status: 'reminded1',
          lastRemindedAt: at(10 * MINUTE),
        });
        await store.updateSurveyInvitation(reminded);
        expect(await store.getSurveyInvitation('S001', 'owner-c')).toEqual(reminded);
        await store.updateSurveyInvitation(invitation({ ownerId: 'nobody' }));
        expect(await store.getSurveyInvitation('S001', 'nobody')).toBeUndefined();

        const ids = (list: SurveyInvitation[]) => list.map((i) => i.ownerId);
        expect(ids(await store.listSurveyInvitations('S001'))).toEqual(['owner-c', 'owner-a', 'owner-b']);
        expect(ids(await store.listSurveyInvitations('S001', { statuses: ['invited'] }))).toEqual([
          'owner-a',
          'owner-b',
        ]);
        expect(
          ids(await store.listSurveyInvitations('S001', { statuses: ['invited', 'reminded1'], limit: 2 })),
        ).toEqual(['owner-c', 'owner-a']);
        expect(await store.listSurveyInvitations('S001', { statuses: [] })).toEqual([]);
        // Last contact: the reminder for owner-c (10 min), the invitation for the others (1 min).
        expect(ids(await store.listSurveyInvitations('S001', { contactedBefore: at(5 * MINUTE) }))).toEqual([
          'owner-a',
          'owner-b',
        ]);
        expect(ids(await store.listSurveyInvitations('S001', { contactedBefore: at(MINUTE) }))).toEqual([]);
        expect(ids(await store.listSurveyInvitations('S001', { contactedBefore: at(11 * MINUTE) }))).toEqual([
          'owner-c',
          'owner-a',
          'owner-b',
        ]);
        expect((await store.listSurveyInvitationsOfOwner('owner-a')).map((i) => i.campaignId)).toEqual([
          'S002',
          'S001',
        ]);
        expect(await store.listSurveyInvitationsOfOwner('owner-z')).toEqual([]);
      });

      it('rolls an invitation back with the messages of its transaction', async () => {
        const failure = new Error('crash mid-batch');
        const attempt = store.transaction(async (tx) => {
          expect(await tx.addSurveyInvitation(invitation())).toBe(true);
          await tx.enqueue([send('telegram', 'chat-a', 'invitation')], T0);
          await tx.createSurveyCampaign(campaign());
          await tx.addSurveyResponse(response());
          await tx.setSurveyOptOut('owner-x', T0);
          throw failure;
        });
        await expect(attempt).rejects.toBe(failure);
        expect(await store.getSurveyInvitation('S001', 'owner-a')).toBeUndefined();
        expect(await store.listOutbox({})).toEqual([]);
        expect(await store.getSurveyCampaign('S001')).toBeUndefined();
        expect(await store.listSurveyResponses('S001')).toEqual([]);
        expect(await store.getSurveyOptOut('owner-x')).toBeUndefined();
        expect(await store.addSurveyInvitation(invitation())).toBe(true);
      });

      it('records one response per campaign and owner, listed oldest first', async () => {
        const first = response();
        expect(await store.addSurveyResponse(first)).toBe(true);
        expect(await store.addSurveyResponse(response({ id: 'r-2', answers: { overall: 1 } }))).toBe(false);
        expect(await store.getSurveyResponse('S001', 'owner-a')).toEqual(first);
        expect(await store.getSurveyResponse('S001', 'owner-b')).toBeUndefined();

        const { building: _b, ...noBuilding } = response({ id: 'r-3', ownerId: 'owner-b', submittedAt: T0 });
        expect(await store.addSurveyResponse(noBuilding)).toBe(true);
        expect(await store.addSurveyResponse(response({ id: 'r-4', campaignId: 'S002' }))).toBe(true);
        expect((await store.listSurveyResponses('S001')).map((r) => r.id)).toEqual(['r-3', 'r-1']);
        expect((await store.listSurveyResponses('S001'))[0]).toEqual(noBuilding);
        expect(await store.listSurveyResponses('S404')).toEqual([]);
      });

      it('remembers, lists and forgets survey opt-outs', async () => {
        expect(await store.getSurveyOptOut('owner-b')).toBeUndefined();
        await store.setSurveyOptOut('owner-b', T0);
        await store.setSurveyOptOut('owner-b', at(MINUTE));
        await store.setSurveyOptOut('owner-a', at(MINUTE));
        expect(await store.getSurveyOptOut('owner-b')).toEqual(T0);
        expect(await store.listSurveyOptOuts()).toEqual(['owner-a', 'owner-b']);
        expect(await store.clearSurveyOptOut('owner-b')).toBe(true);
        expect(await store.clearSurveyOptOut('owner-b')).toBe(false);
        expect(await store.listSurveyOptOuts()).toEqual(['owner-a']);
      });
    });

    describe('ticket sources and contact records (代客登记, issue 20)', () => {
      it("keeps a ticket's source and counts a period by it (a ticket without one came through the chat)", async () => {
        const phone = makeTicket({ createdAt: T0, source: 'phone' });
        const chat = makeTicket({ createdAt: at(MINUTE) });
        const relay = makeTicket({ createdAt: at(2 * MINUTE), source: 'relay' });
        await store.transaction(async (tx) => {
          for (const t of [phone, chat, relay]) await tx.saveTicket(t);
        });
        expect(await store.getTicket(phone.id)).toEqual(phone);
        expect((await store.getTicket(chat.id))?.source).toBeUndefined();
        const counts = await store.countTicketsCreated({ from: T0, to: at(DAY) });
        expect(counts.source).toEqual({ phone: 1, chat: 1, relay: 1 });
        await store.saveTicket({ ...relay, source: 'letter' });
        expect((await store.countTicketsCreated({ from: T0, to: at(DAY) })).source).toEqual({
          phone: 1,
          chat: 1,
          letter: 1,
        });
      });

      it('records contacts once each and lists them newest first by period, owner, phone and name', async () => {
        const record = (id: string, offset: number, extra: Partial<ContactRecord> = {}): ContactRecord => ({
          id,
          kind: 'visit',
          at: at(offset),
          party: 'owner',
          who: '张三',
          staff: { id: 'console:a', name: '王师傅' },
          said: '了解维修后的情况',
          recordedAt: at(offset + MINUTE),
          ...extra,
        });
        const a = record('c-1', 0, { ownerId: 'owner-a', phone: '+8613812345678', place: '3-2-501', result: '满意' });
        const b = record('c-2', HOUR, { party: 'committee', who: '业主委员会', kind: 'meeting' });
        const c = record('c-3', 40 * DAY, { ownerId: 'owner-a', phone: '+8613812345678' });
        await store.transaction(async (tx) => {
          for (const r of [a, b, c]) await tx.addContact(r);
        });
        await store.addContact({ ...a, said: 'changed' });
        expect(await store.listContacts({ period: { from: T0, to: at(DAY) } })).toEqual([b, a]);
        expect(await store.listContacts({ ownerId: 'owner-a' })).toEqual([c, a]);
        expect(await store.listContacts({ phone: '+8613812345678', limit: 1 })).toEqual([c]);
        expect(await store.listContacts({ who: '业主委员会' })).toEqual([b]);
        expect(await store.listContacts({ who: '张三', period: { from: at(DAY), to: at(60 * DAY) } })).toEqual([c]);
        expect(await store.listContacts({ phone: '+8613900000000' })).toEqual([]);
        expect(await store.listContacts({ limit: 0 })).toEqual([]);
      });
    });
  });
}

// ── the audit log ─────────────────────────────────────────────────────────────

function auditEntry(id: string, offsetMs: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: at(offsetMs),
    actor: { kind: 'staff', id: 'telegram:100', name: '李师傅', role: 'staff' },
    action: 'ticket.accept',
    via: 'telegram',
    subject: { kind: 'ticket', id: 'T261128-0001' },
    ...overrides,
  };
}

/** The audit log's part of the contract: append-only, read by time, actor, subject and action, pruned by age. */
function auditLogContract(current: () => Store): void {
  describe('audit log', () => {
    it('keeps an entry as appended, once per id, and reads it back whole', async () => {
      const store = current();
      const full = auditEntry('a-1', 0, { detail: { masked: false, rows: 12, period: '2026-11' } });
      await store.appendAudit(full);
      await store.appendAudit({ ...full, action: 'ticket.reject' });
      const {
        action: _a,
        subject: _s,
        ...bare
      } = auditEntry('a-2', MINUTE, {
        actor: { kind: 'system', id: 'system' },
        via: 'system',
      });
      await store.appendAudit({ ...bare, action: 'app.start' });
      const page = await store.listAudit({});
      expect(page.entries).toEqual([full, { ...bare, action: 'app.start' }]);
      expect(page.next).toBeUndefined();
    });

    it("appends in the caller's transaction: rolled back with it", async () => {
      const store = current();
      const failure = new Error('the action failed');
      await expect(
        store.transaction(async (tx) => {
          await tx.appendAudit(auditEntry('a-1', 0));
          throw failure;
        }),
      ).rejects.toBe(failure);
      await store.transaction(async (tx) => tx.appendAudit(auditEntry('a-2', 0)));
      expect((await store.listAudit({})).entries.map((e) => e.id)).toEqual(['a-2']);
    });

    it('reads by time, actor, subject and action (a family by its prefix), oldest first, page by page', async () => {
      const store = current();
      await store.appendAudit(auditEntry('a-3', 2 * HOUR, { action: 'reveal.phone' }));
      await store.appendAudit(auditEntry('a-1', 0));
      await store.appendAudit(
        auditEntry('a-2', HOUR, {
          actor: { kind: 'staff', id: 'telegram:200', name: '王主管', role: 'supervisor' },
          action: 'ticket.resolve',
          subject: { kind: 'ticket', id: 'T261128-0002' },
        }),
      );
      await store.appendAudit(
        auditEntry('a-4', HOUR, { action: 'ticket_x.accept', subject: { kind: 'campaign', id: 'S001' } }),
      );
      await store.appendAudit(auditEntry('a-5', 3 * HOUR, { action: 'ticket' }));
      const ids = async (q: Parameters<Store['listAudit']>[0]) => (await store.listAudit(q)).entries.map((e) => e.id);
      expect(await ids({})).toEqual(['a-1', 'a-2', 'a-4', 'a-3', 'a-5']);
      expect(await ids({ since: at(HOUR), until: at(3 * HOUR) })).toEqual(['a-2', 'a-4', 'a-3']);
      expect(await ids({ actorId: 'telegram:200' })).toEqual(['a-2']);
      expect(await ids({ subjectId: 'T261128-0001' })).toEqual(['a-1', 'a-3', 'a-5']);
      // `ticket` is its family (ticket.*) and itself, never a neighbour that merely starts alike.
      expect(await ids({ action: 'ticket' })).toEqual(['a-1', 'a-2', 'a-5']);
      expect(await ids({ action: 'ticket.resolve' })).toEqual(['a-2']);
      expect(await ids({ action: 'ticket.res' })).toEqual([]);
      expect(await ids({ actorId: 'telegram:100', action: 'reveal', since: at(HOUR) })).toEqual(['a-3']);

      const first = await store.listAudit({}, { limit: 2 });
      expect(first.entries.map((e) => e.id)).toEqual(['a-1', 'a-2']);
      expect(first.next).toEqual({ at: at(HOUR), id: 'a-2' });
      const second = await store.listAudit({}, { limit: 2, ...(first.next ? { after: first.next } : {}) });
      expect(second.entries.map((e) => e.id)).toEqual(['a-4', 'a-3']);
      const third = await store.listAudit({}, { limit: 2, ...(second.next ? { after: second.next } : {}) });
      expect(third.entries.map((e) => e.id)).toEqual(['a-5']);
      expect(third.next).toBeUndefined();
      const walked: string[] = [];
      for await (const e of auditEntries(store, { subjectId: 'T261128-0001' }, 1)) walked.push(e.id);
      expect(walked).toEqual(['a-1', 'a-3', 'a-5']);
    });

    it('prunes only entries older than the instant given, oldest first, at most `limit` a call', async () => {
      const store = current();
      for (let i = 0; i < 5; i++) await store.appendAudit(auditEntry(`a-${i}`, i * DAY));
      expect(await store.pruneAudit(at(3 * DAY), 2)).toBe(2);
      expect((await store.listAudit({})).entries.map((e) => e.id)).toEqual(['a-2', 'a-3', 'a-4']);
      expect(await store.pruneAudit(at(3 * DAY), 10)).toBe(1);
      expect(await store.pruneAudit(at(3 * DAY), 10)).toBe(0);
      expect(await store.pruneAudit(at(10 * DAY), 0)).toBe(0);
      expect((await store.listAudit({})).entries.map((e) => e.id)).toEqual(['a-3', 'a-4']);
    });
  });
}

// ── generated files (the bytes an outbox item carries) ────────────────────────

function storedFile(id: string, offsetMs: number): StoredFile {
  return {
    id,
    name: `${id}.png`,
    mime: 'image/png',
    bytes: new Uint8Array([1, 2, 3, id.length]),
    createdAt: at(offsetMs),
  };
}

/** The file store's part of the contract: saved once per id, read by id, and pruned around unsent items. */
function fileStoreContract(current: () => Store): void {
  describe('files', () => {
    it('keeps a file as saved, once per id, and deletes by id', async () => {
      const store = current();
      const file = storedFile('f-1', 0);
      await store.transaction(async (tx) => tx.saveFile(file));
      await store.saveFile({ ...file, name: 'other.png' });
      expect(await store.getFiles(['f-1', 'f-1', 'missing'])).toEqual([file]);
      expect(await store.deleteFiles(['f-1', 'missing'])).toBe(1);
      expect(await store.getFiles(['f-1'])).toEqual([]);
    });

    it('prunes up to `limit` old files no unsent item names, oldest first, skipping those one does', async () => {
      const store = current();
      for (const [id, offset] of [
        ['kept', 0],
        ['f-1', HOUR],
        ['f-2', 2 * HOUR],
        ['young', 3 * DAY],
      ] as const)
        await store.saveFile(storedFile(id, offset));
      const item = send('telegram', 'chat-1', 'the review');
      item.action = {
        kind: 'send',
        message: { text: 'the review', attachments: [{ kind: 'image', fileId: 'kept', name: 'kept.png' }] },
      };
      await store.enqueue([item], T0);
      // The oldest file is the pending item's: a batch of one still deletes one (retention drains until a batch falls short).
      expect(await store.pruneFiles(at(DAY), 1)).toBe(1);
      expect(await store.pruneFiles(at(DAY), 10)).toBe(1);
      expect(await store.pruneFiles(at(DAY), 10)).toBe(0);
      const left = await store.getFiles(['kept', 'f-1', 'f-2', 'young']);
      expect(left.map((f) => f.id).sort()).toEqual(['kept', 'young']);
    });
  });
}
