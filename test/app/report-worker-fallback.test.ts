/**
 * A SQLite file's reports when the report worker (report-worker.ts) dies: every report read, the service
 * figures of `/summary` included, goes back to the bot's own connection, and `/summary` still answers
 * with the figures, not the apology, until a restart.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports.js';
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

describe('reports on a SQLite file whose report worker died', () => {
  it('answers /summary from the bot’s own connection with the same figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residesk-reports-'));
    dirs.push(dir);
    const h = await makeHarness({ clock: new FakeClock(NOW), path: join(dir, 'residesk.db') });
    stores.push(h.store);
    await h.store.transaction(async (tx) => {
      for (let i = 0; i < 12; i++) {
        const createdAt = new Date(Date.UTC(2026, 10, 2, 1) + i * 26 * HOUR);
        const acceptedAt = new Date(createdAt.getTime() + (i % 3) * 5 * HOUR + 600_000);
        await tx.saveTicket(
          makeTicket({
            createdAt,
            updatedAt: createdAt,
            firstResponseAt: acceptedAt,
            timeline: [
              { at: createdAt, actor: { type: 'owner', id: 'o' }, action: 'create' },
              { at: acceptedAt, actor: { type: 'staff', id: 's1', name: '王师傅' }, action: 'accept', to: 'accepted' },
            ],
          }),
        );
      }
    });
    // The report worker starts at the first report (Node announces each worker on this channel).
    const started: Worker[] = [];
    const seen = (message: unknown) => started.push((message as { worker: Worker }).worker);
    subscribe('worker_threads', seen);
    const before = (await h.send('/summary 2026-11', ROOM).finally(() => unsubscribe('worker_threads', seen))).texts[0];
    expect(before?.split('\n')[0]).toBe(zh('desk.summary.title', { period: '2026-11', count: 12 }));
    expect(started).toHaveLength(1);
    const worker = started[0];

    const exited = new Promise((resolve) => worker?.once('exit', resolve));
    await worker?.terminate();
    await exited;

    const after = (await h.send('/summary 2026-11', ROOM)).texts[0];
    expect(after).toBe(before);
  });
});
