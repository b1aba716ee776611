/**
 * Reports at scale (issue 17): `/summary` counts any period of any history from the store's range and
 * count queries, and a report is read outside the write transaction, so an owner's message never waits
 * behind it.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { makeTicket } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';
import { countingStore } from '../support/counting-store.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

const ROOM = { chatId: 'staff', chatKind: 'staff' as const, userId: 'b', userName: '李师傅' };
const NOW = new Date('2026-11-28T02:00:00.000Z');

/** The queries a report is made of. */
const REPORT_READS = new Set<string>([
  'listTickets',
  'listTicketsCreated',
  'countTicketsCreated',
  'countPraise',
  'countEnquiries',
]);

describe('/summary over a long history', () => {
  it('counts a month older than the newest 20,000 tickets', async () => {
    const h = await makeHarness({ clock: new FakeClock(NOW) });
    await h.store.transaction(async (tx) => {
      // 2025-12 in Asia/Shanghai: 300 tickets, 7 of them complaints; then 20,100 newer ones in 2026-11.
      for (let i = 0; i < 300; i++) {
        const createdAt = new Date(Date.UTC(2025, 11, 1, 0, 0, 0) + i * 7_000_000);
        await tx.saveTicket(makeTicket({ createdAt, updatedAt: createdAt, ...(i < 7 ? { kind: 'complaint' } : {}) }));
      }
      for (let i = 0; i < 20_100; i++) {
        const createdAt = new Date(Date.UTC(2026, 10, 1, 0, 0, 0) + i * 60_000);
        await tx.saveTicket(makeTicket({ createdAt, updatedAt: createdAt }));
      }
    });
    const { texts } = await h.send('/summary 2025-12', ROOM);
    const lines = texts[0]?.split('\n') ?? [];
    expect(lines[0]).toBe(zh('desk.summary.title', { period: '2025-12', count: 300 }));
    expect(lines[1]).toBe(`${zh('card.kind')}：${zh('ticket.kind.repair')} 293 · ${zh('ticket.kind.complaint')} 7`);
    // The month itself, past the first 20,000 of its tickets.
    const november = await h.send('/summary 2026-11', ROOM);
    expect(november.texts[0]?.split('\n')[0]).toBe(zh('desk.summary.title', { period: '2026-11', count: 20_100 }));
  }, 60_000);
});

describe('reports outside the write transaction', () => {
  it('reads /summary and /tickets with plain reads; the transaction only sends the reply', async () => {
    const { store, calls } = countingStore(await openSqliteStore({ path: ':memory:' }));
    const h = await makeHarness({ clock: new FakeClock(NOW), store });
    await h.store.saveTicket(makeTicket({ createdAt: new Date('2026-11-20T02:00:00Z') }));
    const summary = await h.send('/summary', ROOM);
    const open = await h.send('/tickets', ROOM);
    expect(summary.texts[0]?.split('\n')[0]).toBe(zh('desk.summary.title', { period: '2026-11', count: 1 }));
    expect(open.texts[0]).toContain(`${zh('desk.list.unassigned')} (1)`);
    // Which report queries were called on a transaction's `tx` (they must not be).
    expect(calls.inTx.filter((name) => REPORT_READS.has(name))).toEqual([]);
  });

  it('lets an owner’s message through while a summary is still being read', async () => {
    const h = await makeHarness({ clock: new FakeClock(NOW) });
    await h.store.saveTicket(makeTicket({ createdAt: new Date('2026-11-20T02:00:00Z') }));
    // Hold the summary half-way through its reads.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached!: () => void;
    const reading = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const countPraise = h.store.countPraise.bind(h.store);
    h.store.countPraise = async (period) => {
      reached();
      await held;
      return countPraise(period);
    };
    const summary = h.send('/summary', ROOM);
    await reading;
    // The owner is answered while the report is still open.
    const owner = await h.send('/start');
    expect(owner.texts.length).toBeGreaterThan(0);
    release();
    const { texts } = await summary;
    expect(texts[0]?.split('\n')[0]).toBe(zh('desk.summary.title', { period: '2026-11', count: 1 }));
  });
});
