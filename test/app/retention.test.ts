/**
 * Retention (issue 17): old message-log entries and delivered outbox items are deleted; what is recent,
 * not yet delivered (pending, dead) and the message refs of old cards stay.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { pruneOldRecords } from '../../src/app/retention.js';
import type { Store } from '../../src/core/ports.js';
import { silentLogger } from '../../src/logger.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T02:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const policy = { messageLogMs: 90 * DAY, deliveredOutboxMs: 7 * DAY, auditLogMs: 1096 * DAY };
const clock = { now: () => NOW };

async function sendAt(store: Store, id: string, at: Date): Promise<void> {
  await store.enqueue([{ id, channel: 'telegram', chatId: 'c1', action: { kind: 'send', message: { text: id } } }], at);
  const [claimed] = await store.claimOutbox(at, 'w', 60_000, 10);
  expect(claimed?.id).toBe(id);
  await store.markOutboxSent(id, `pm-${id}`, at, { ref: `card:${id}` });
}

describe('retention', () => {
  it('deletes old message-log entries and delivered outbox items, and keeps the rest', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    for (const [chatId, days] of [
      ['c1', 200],
      ['c2', 120],
      ['c1', 91],
      ['c1', 89],
      ['c2', 1],
    ] as const) {
      await store.logMessage({ channel: 'telegram', chatId, direction: 'in', at: ago(days), body: { days } });
    }
    await sendAt(store, 'old-sent', ago(30));
    await sendAt(store, 'sent-8-days-ago', ago(8));
    await sendAt(store, 'sent-yesterday', ago(1));
    await store.enqueue(
      [{ id: 'dead', channel: 'telegram', chatId: 'c3', action: { kind: 'send', message: { text: 'x' } } }],
      ago(40),
    );
    await store.markOutboxDead('dead', 'blocked', ago(40));
    // Generated files: three a week old and more (a pending item names one of them), one of yesterday.
    for (const [id, days] of [
      ['f-old-1', 30],
      ['f-pending', 30],
      ['f-old-2', 9],
      ['f-yesterday', 1],
    ] as const)
      await store.saveFile({
        id,
        name: `${id}.png`,
        mime: 'image/png',
        bytes: new Uint8Array([1]),
        createdAt: ago(days),
      });
    const attachments = [{ kind: 'image' as const, fileId: 'f-pending', name: 'f-pending.png' }];
    await store.enqueue(
      [
        {
          id: 'pending',
          channel: 'telegram',
          chatId: 'c4',
          action: { kind: 'send', message: { text: 'y', attachments } },
        },
      ],
      ago(30),
    );

    // Batches of two: the loop goes round until a batch comes back short.
    const deleted = await pruneOldRecords(store, clock, policy, silentLogger(), 2);
    expect(deleted).toEqual({ messages: 3, outbox: 2, files: 2, audit: 0 });
    const files = await store.getFiles(['f-old-1', 'f-pending', 'f-old-2', 'f-yesterday']);
    expect(files.map((f) => f.id).sort()).toEqual(['f-pending', 'f-yesterday']);

    const days = async (chatId: string) =>
      (await store.listMessages('telegram', chatId)).map((m) => (m.body as { days: number }).days);
    expect(await days('c1')).toEqual([89]);
    expect(await days('c2')).toEqual([1]);
    const left = (await store.listOutbox({})).map((i) => [i.id, i.status]);
    expect(left).toEqual([
      ['sent-yesterday', 'sent'],
      ['dead', 'dead'],
      ['pending', 'pending'],
    ]);
    // An old card can still be edited: its ref stays.
    expect(await store.getMessageRef('telegram', 'c1', 'card:old-sent')).toBe('pm-old-sent');

    expect(await pruneOldRecords(store, clock, policy, silentLogger(), 2)).toEqual({
      messages: 0,
      outbox: 0,
      files: 0,
      audit: 0,
    });
    await store.close();
  });
});
