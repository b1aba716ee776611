/**
 * The one handler for "a ticket changed" (app/tickets/changes.ts): what it saves, edits, withdraws,
 * times and tells, in which order, and what staff hear when the owner cannot be reached.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { AppContext } from '../../src/app/context.js';
import type { TicketOwnerReach } from '../../src/app/owner/conversations.js';
import { type TicketChange, TicketChanges } from '../../src/app/tickets/changes.js';
import type { StoreTx } from '../../src/core/ports.js';
import { newTicket, type Ticket, transition } from '../../src/core/tickets/ticket.js';
import type { OutboundAction } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { i18n, registry } from '../support/harness.js';

const STAFF = { type: 'staff', id: 'console:a', name: '王师傅' } as const;

/** Records what the handler asks of the owner's side; `reachable` decides the answer. */
class FakeOwners implements TicketOwnerReach {
  readonly calls: string[] = [];
  constructor(private readonly reachable = true) {}
  async notify(_tx: StoreTx, ticket: Ticket, key: string): Promise<boolean> {
    this.calls.push(`notify ${ticket.number} ${key}`);
    return this.reachable;
  }
  async startFlow(_tx: StoreTx, ticket: Ticket, flowId: string): Promise<boolean> {
    this.calls.push(`flow ${ticket.number} ${flowId}`);
    return this.reachable;
  }
  async withdrawFlow(_tx: StoreTx, ticket: Ticket, flowId: string): Promise<void> {
    this.calls.push(`withdraw ${ticket.number} ${flowId}`);
  }
}

async function setup(reachable = true) {
  const store = await openSqliteStore({ path: ':memory:' });
  const clock = new FakeClock();
  let n = 0;
  const ctx = new AppContext({
    store,
    clock,
    registry,
    i18n,
    log: silentLogger(),
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '' },
    staffRooms: [
      { channel: 'console', chatId: 'staff' },
      { channel: 'wechat', chatId: 'room' },
    ],
    newId: () => `id-${++n}`,
  });
  const owners = new FakeOwners(reachable);
  const changes = new TicketChanges(ctx, owners);
  const ticket = newTicket({
    id: 't1',
    number: 'T261128-0001',
    draft: { kind: 'complaint', category: 'water_power', urgency: 'normal', description: '厨房漏水', attachments: [] },
    ownerId: 'o1',
    origin: { channel: 'console', chatId: 'owner' },
    at: clock.now(),
  });
  await store.transaction((tx) => tx.saveTicket(ticket));
  const accepted = transition(ticket, 'accept', STAFF, clock.now(), { assignee: { id: STAFF.id, name: STAFF.name } });
  if (!accepted.ok) throw new Error('accept refused');
  const apply = (change: TicketChange) => store.transaction((tx) => changes.apply(tx, change));
  const outbox = async () =>
    (await store.listOutbox({})).map((o) => ({ chatId: o.chatId, action: o.action as OutboundAction }));
  const pending = async () =>
    (await store.listJobs({ status: 'pending' })).map((j) => j.key).sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  return { store, clock, ctx, owners, changes, ticket, accepted: accepted.ticket, apply, outbox, pending };
}

describe('TicketChanges', () => {
  it('saves the ticket, edits its card in every room, restarts its deadlines and tells the owner', async () => {
    const s = await setup();
    await s.store.transaction(async (tx) => {
      await s.changes.apply(tx, { ticket: s.ticket, deadlines: 'start' });
    });
    expect(await s.pending()).toEqual([
      'sla:t1:accept:100',
      'sla:t1:accept:200',
      'sla:t1:accept:50',
      'sla:t1:accept:80',
    ]);

    const reached = await s.apply({
      ticket: s.accepted,
      deadlines: 'restart',
      owner: { notify: 'owner.accepted', params: { number: s.ticket.number, name: STAFF.name } },
    });
    expect(reached).toBe(true);
    expect((await s.store.getTicket('t1'))?.status).toBe('accepted');
    // Acceptance is over; the resolution and the first word to the owner are timed now.
    const keys = await s.pending();
    expect(keys.some((k) => k?.startsWith('sla:t1:accept'))).toBe(false);
    expect(keys).toContain('sla:t1:resolve:100');
    expect(keys).toContain('sla:t1:progress:100');
    const edits = (await s.outbox()).filter((o) => o.action.kind === 'edit');
    expect(edits.map((e) => e.chatId)).toEqual(['staff', 'room', 'staff', 'room']);
    expect(edits.every((e) => e.action.kind === 'edit' && e.action.ref === 'card:T261128-0001')).toBe(true);
    expect(s.owners.calls).toEqual(['notify T261128-0001 owner.accepted']);
  });

  it('stops only the phases named, leaves the card alone when only the timeline changed', async () => {
    const s = await setup();
    await s.apply({ ticket: s.accepted, deadlines: 'start' });
    const before = (await s.outbox()).length;
    await s.apply({ ticket: s.accepted, card: false, deadlines: ['progress'] });
    expect(await s.outbox()).toHaveLength(before);
    const keys = await s.pending();
    expect(keys.some((k) => k?.startsWith('sla:t1:progress'))).toBe(false);
    expect(keys).toContain('sla:t1:resolve:50');
    await s.apply({ ticket: s.accepted, card: false, deadlines: 'stop' });
    expect(await s.pending()).toEqual([]);
  });

  it('takes back overtaken questions, tells the staff rooms, then asks the owner, in that order', async () => {
    const s = await setup();
    await s.apply({
      ticket: s.accepted,
      card: 'judge',
      withdraw: ['plan', 'appointment'],
      staff: { text: '交接', replyToRef: 'card:T261128-0001' },
      owner: { flow: 'appointment', context: { number: s.ticket.number } },
    });
    expect(s.owners.calls).toEqual([
      'withdraw T261128-0001 plan',
      'withdraw T261128-0001 appointment',
      'flow T261128-0001 appointment',
    ]);
    const kinds = (await s.outbox()).map((o) => (o.action.kind === 'send' ? o.action.message.text : o.action.kind));
    expect(kinds).toEqual(['edit', 'edit', '交接', '交接']);
  });

  it('asks staff to phone an owner who cannot be reached: where the staff member wrote, else in every room', async () => {
    const s = await setup(false);
    const unreachable = s.ctx.t('zh-CN', 'desk.owner_unreachable', { number: 'T261128-0001' });
    const reached = await s.apply({
      ticket: s.accepted,
      card: false,
      owner: { notify: 'owner.accepted' },
      replyIn: { channel: 'console', chatId: 'staff' },
    });
    expect(reached).toBe(false);
    let sent = (await s.outbox()).filter((o) => o.action.kind === 'send');
    expect(sent.map((o) => o.chatId)).toEqual(['staff']);
    expect(sent[0]?.action).toMatchObject({ message: { text: unreachable, replyToRef: 'card:T261128-0001' } });

    await s.apply({ ticket: s.accepted, card: false, owner: { flow: 'rejection', context: {} } });
    sent = (await s.outbox()).filter((o) => o.action.kind === 'send');
    expect(sent.map((o) => o.chatId)).toEqual(['staff', 'staff', 'room']);
  });

  it('refuses to reach an owner when it was given no way to', async () => {
    const s = await setup();
    const blind = new TicketChanges(s.ctx);
    await expect(
      s.store.transaction((tx) => blind.apply(tx, { ticket: s.accepted, owner: { notify: 'owner.accepted' } })),
    ).rejects.toThrow(/no owner side/);
  });
});
