/**
 * Reports on a SQLite file (issue 17, goal 4): read on a worker's own connection, beside the bot's
 * transactions rather than behind them, and the service figures summed by SQLite give the same summary as
 * walking every ticket (the in-memory store walks them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports.js';
import type { Ticket, TimelineEvent } from '../../src/core/tickets/ticket.js';
import { makeTicket } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';
import { i18n, makeHarness } from '../support/harness.js';

const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);
const ROOM = { chatId: 'staff', chatKind: 'staff' as const, userId: 'b', userName: '李师傅' };
const NOW = new Date('2026-11-28T02:00:00.000Z');
const HOUR = 3_600_000;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => {});
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileHarness() {
  const dir = mkdtempSync(join(tmpdir(), 'residesk-reports-'));
  dirs.push(dir);
  return makeHarness({ clock: new FakeClock(NOW), path: join(dir, 'residesk.db') });
}

/** November's tickets with every service fact varied: urgencies, late and timely acceptance, revisits … */
function varied(): Ticket[] {
  const tickets: Ticket[] = [];
  for (let i = 0; i < 240; i++) {
    const createdAt = new Date(Date.UTC(2026, 10, 1, 1) + i * 2.5 * HOUR + (i % 7) * 61_123);
    const staff = { type: 'staff' as const, id: 's1', name: '王师傅' };
    const timeline: TimelineEvent[] = [{ at: createdAt, actor: { type: 'owner', id: 'o' }, action: 'create' }];
    const t: Partial<Ticket> = {
      createdAt,
      updatedAt: createdAt,
      urgency: (['normal', 'urgent', 'emergency', 'normal'] as const)[i % 4],
      kind: i % 5 === 0 ? 'complaint' : 'repair',
      reopenCount: i % 9 === 0 ? 1 + (i % 2) : 0,
    };
    if (i % 3 !== 0) {
      // Accepted after 10 minutes to 40 hours: some in time, some late; the first acceptance counts.
      const acceptedAt = new Date(createdAt.getTime() + ((i * 37) % 240) * 10 * 60_000 + 600_000);
      timeline.push({ at: acceptedAt, actor: staff, action: 'accept', to: 'accepted' });
      if (i % 6 === 1)
        timeline.push({ at: new Date(acceptedAt.getTime() + 60 * HOUR), actor: staff, action: 'accept' });
      t.firstResponseAt = new Date(acceptedAt.getTime() - (i % 4) * 1_001);
      if (i % 2 === 0) t.resolvedAt = new Date(acceptedAt.getTime() + ((i * 53) % 120) * HOUR + 7);
    }
    if (i % 8 === 0) timeline.push({ at: createdAt, actor: { type: 'system' }, action: 'escalation' });
    if (i % 4 === 2) {
      t.revisit = {
        at: new Date(createdAt.getTime() + 50 * HOUR),
        by: 'chat',
        solved: i % 3 !== 1,
        attitude: (['satisfied', 'so_so', 'unsatisfied'] as const)[i % 3] ?? 'satisfied',
        charged: false,
        score: 1 + (i % 10),
        outcome: 'closed',
      };
    }
    tickets.push(makeTicket({ ...t, timeline }));
  }
  return tickets;
}

describe('reports on a SQLite file', () => {
  it('gives the same summary from the store’s sums as from walking every ticket', async () => {
    const tickets = varied();
    const file = await fileHarness();
    stores.push(file.store);
    const memory = await makeHarness({ clock: new FakeClock(NOW) });
    stores.push(memory.store);
    for (const h of [file, memory]) {
      await h.store.transaction(async (tx) => {
        for (const t of tickets) await tx.saveTicket(t);
      });
    }
    let walked = 0;
    const list = file.store.listTicketsCreated.bind(file.store);
    file.store.listTicketsCreated = (...args) => {
      walked += 1;
      return list(...args);
    };
    const counted = (await file.send('/summary 2026-11', ROOM)).texts[0];
    const expected = (await memory.send('/summary 2026-11', ROOM)).texts[0];
    expect(walked).toBe(0);
    expect(counted).toBe(expected);
    expect(counted?.split('\n')[0]).toBe(zh('desk.summary.title', { period: '2026-11', count: 240 }));
    // Not a summary of nothing: the varied facts are there to be compared.
    const service = counted?.split('\n').find((line) => line.startsWith('首次响应')) ?? '';
    expect(service).not.toBe(
      zh('desk.summary.service', {
        minutes: 0,
        accepted: 0,
        acceptedOf: 0,
        resolved: 0,
        resolvedOf: 0,
        escalated: 0,
        reopened: 0,
      }),
    );
    expect(service).toContain('160');
  });

  it('reads beside a transaction in progress, seeing only what is committed', async () => {
    const file = await fileHarness();
    stores.push(file.store);
    await file.store.saveTicket(makeTicket({ createdAt: new Date('2026-11-20T02:00:00Z') }));
    const november = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    const writing = file.store.transaction(async (tx) => {
      await tx.saveTicket(makeTicket({ createdAt: new Date('2026-11-21T02:00:00Z') }));
      wrote();
      await held;
    });
    await written;
    // On the bot's connection this read would wait for the transaction; on the worker's it does not.
    const during = await file.store.countTicketsCreated(november);
    release();
    await writing;
    const after = await file.store.countTicketsCreated(november);
    expect(during.total).toBe(1);
    expect(after.total).toBe(2);
  });
});
