import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../../src/adapters/store/sqlite/migrations.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/store.js';
import type { Store, StoreTx } from '../../../src/core/ports.js';
import { storeContract } from '../../contracts/store.contract.js';
import { makeOwner, makeTicket } from '../../fixtures.js';

const T0 = new Date('2026-11-28T02:00:00.000Z');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const STORE_MODULE = new URL('../../../src/adapters/store/sqlite/store.ts', import.meta.url).href;

/**
 * A worker process: waits until all workers have opened the store, then claims (directly or in a
 * transaction) and completes jobs in small batches until none is left, and prints their ids.
 */
const CHILD_WORKER = `
  const { openSqliteStore } = await import(process.env.STORE_MODULE);
  const store = await openSqliteStore({ path: process.env.DB });
  const now = new Date(process.env.NOW);
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await store.setSetting('ready:' + process.env.WORKER, 'yes');
  const everyone = process.env.WORKERS.split(',');
  while ((await Promise.all(everyone.map((w) => store.getSetting('ready:' + w)))).includes(undefined)) await pause(5);
  const ids = [];
  for (;;) {
    await pause(1);
    const jobs =
      ids.length % 2 === 0
        ? await store.claimJobs(now, process.env.WORKER, 60000, 3)
        : await store.transaction((tx) => tx.claimJobs(now, process.env.WORKER, 60000, 3));
    if (jobs.length === 0) break;
    for (const job of jobs) {
      ids.push(job.id);
      if (!(await store.completeJob(job.id, process.env.WORKER, now))) throw new Error('lost lease ' + job.id);
    }
  }
  await store.close();
  process.stdout.write(JSON.stringify(ids));
`;

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'residesk-store-'));
}

storeContract('sqlite :memory:', async () => {
  const store = await openSqliteStore({ path: ':memory:' });
  return { store, cleanup: () => store.close() };
});

storeContract('sqlite file', async () => {
  const dir = await tempDir();
  const store = await openSqliteStore({ path: join(dir, 'data', 'residesk.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store', () => {
  let dir: string;
  let file: string;
  const opened: Store[] = [];

  async function open(): Promise<Store> {
    const store = await openSqliteStore({ path: file });
    opened.push(store);
    return store;
  }

  function raw(): Database.Database {
    return new Database(file);
  }

  beforeEach(async () => {
    dir = await tempDir();
    file = join(dir, 'nested', 'deeper', 'residesk.db');
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the parent directory and uses WAL', async () => {
    await open();
    expect(existsSync(file)).toBe(true);
    const db = raw();
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('copies the write-ahead log into the file in the background, well before the automatic checkpoint', async () => {
    const store = await open();
    const before = statSync(file).size;
    // About 250 pages: far below the connection's own checkpoint threshold (4,000 pages), so the commit only
    // appends them to the log and the file grows only when something else copies them there.
    await store.transaction(async (tx) => {
      for (let i = 0; i < 50; i++) await tx.setSetting(`bulk:${i}`, 'x'.repeat(20_000));
    });
    // The checkpoint copies page by page, so a look in the middle of it sees the file partly grown: wait for all of it.
    const copied = before + 50 * 20_000;
    for (let waited = 0; statSync(file).size <= copied && waited < 10_000; waited += 50) await pause(50);
    expect(statSync(file).size).toBeGreaterThan(copied);
    expect(await store.getSetting('bulk:49')).toHaveLength(20_000);
  });

  it('records every migration once and does not re-apply them on reopen', async () => {
    const first = await open();
    await first.setSetting('kept', 'yes');
    await first.close();

    const db = raw();
    const before = db.prepare('SELECT id, name, applied_at FROM schema_migrations ORDER BY id').all();
    db.close();
    expect(before.map((row) => (row as { id: number }).id)).toEqual(MIGRATIONS.map((m) => m.id));

    const second = await open();
    expect(await second.getSetting('kept')).toBe('yes');
    const again = raw();
    try {
      expect(again.prepare('SELECT id, name, applied_at FROM schema_migrations ORDER BY id').all()).toEqual(before);
      expect(migrate(again)).toEqual([]);
    } finally {
      again.close();
    }
  });

  it('applies migrations when several stores open the same new file at once', async () => {
    const stores = await Promise.all([open(), open(), open()]);
    await stores[0]?.setSetting('a', '1');
    expect(await stores[2]?.getSetting('a')).toBe('1');
    const db = raw();
    try {
      expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration and names the failure', () => {
    const db = new Database(':memory:');
    try {
      const broken = [
        ...MIGRATIONS,
        { id: 1000, name: 'broken', sql: 'CREATE TABLE half (a); SELECT * FROM missing;' },
      ];
      expect(() => migrate(db, broken)).toThrow(
        expect.objectContaining({ name: 'StoreError', code: 'STORE_MIGRATION' }),
      );
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT max(id) AS id FROM schema_migrations').get()).toEqual({ id: MIGRATIONS.at(-1)?.id });
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer release', async () => {
    await (await open()).close();
    opened.length = 0;
    const db = raw();
    db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (999999, ?, 0)').run('from the future');
    db.close();

    await expect(openSqliteStore({ path: file })).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORE_MIGRATION',
    });
  });

  it('finds owners by phone through an index, also for owners saved before the index existed', async () => {
    mkdirSync(dirname(file), { recursive: true });
    const db = raw();
    const owner = makeOwner({ phone: '+8613900000123', createdAt: T0, updatedAt: T0 });
    try {
      migrate(
        db,
        MIGRATIONS.filter((m) => m.id < 3),
      );
      db.prepare('INSERT INTO owners (id, created_at, updated_at, doc) VALUES (?, ?, ?, ?)').run(
        owner.id,
        T0.getTime(),
        T0.getTime(),
        JSON.stringify({ ...owner, createdAt: T0.toISOString(), updatedAt: T0.toISOString() }),
      );
      // An unreadable document does not stop the migration (it is reported when read, as before).
      db.prepare('INSERT INTO owners (id, created_at, updated_at, doc) VALUES (?, ?, ?, ?)').run(
        'broken',
        0,
        0,
        '{not json',
      );
    } finally {
      db.close();
    }
    const store = await open();
    expect(await store.findOwnersByPhone('+8613900000123')).toEqual([owner]);
    const check = raw();
    try {
      const plan = check
        .prepare('EXPLAIN QUERY PLAN SELECT doc FROM owners WHERE phone = ? ORDER BY created_at, id')
        .all('+8613900000123') as { detail: string }[];
      expect(plan.map((row) => row.detail).join('\n')).toContain('USING INDEX owners_phone');
    } finally {
      check.close();
    }
  });

  it('counts, pages and finds revisit comments from indexes, also for tickets saved before migration 4', async () => {
    mkdirSync(dirname(file), { recursive: true });
    const db = raw();
    const revisitAt = new Date(T0.getTime() + 86_400_123);
    const old = makeTicket({
      createdAt: T0,
      updatedAt: T0,
      kind: 'complaint',
      category: 'lift',
      responsibility: 'developer',
      status: 'closed',
      revisit: {
        at: revisitAt,
        by: 'phone',
        solved: true,
        attitude: 'so_so',
        charged: false,
        score: 7,
        comment: '电梯还是慢',
        outcome: 'closed',
      },
    });
    try {
      migrate(
        db,
        MIGRATIONS.filter((m) => m.id < 4),
      );
      const { revisit, ...rest } = old;
      db.prepare(
        `INSERT INTO tickets (id, number, owner_id, assignee_id, status, created_at, updated_at, doc)
           VALUES (?, ?, ?, NULL, ?, ?, ?, ?)`,
      ).run(
        old.id,
        old.number,
        old.ownerId,
        old.status,
        T0.getTime(),
        T0.getTime(),
        JSON.stringify({
          ...rest,
          createdAt: T0.toISOString(),
          updatedAt: T0.toISOString(),
          timeline: old.timeline.map((e) => ({ ...e, at: e.at.toISOString() })),
          revisit: { ...revisit, at: revisitAt.toISOString() },
        }),
      );
    } finally {
      db.close();
    }
    const store = await open();
    const day = { from: T0, to: new Date(T0.getTime() + 2 * 86_400_000) };
    expect(await store.countTicketsCreated(day)).toEqual({
      total: 1,
      kind: { complaint: 1 },
      category: { lift: 1 },
      responsibility: { developer: 1 },
      status: { closed: 1 },
      // Saved before migration 10: it came through the chat.
      source: { chat: 1 },
    });
    expect(await store.listTicketsCreated(day)).toEqual({ tickets: [old] });
    expect(await store.listRevisitComments(day)).toEqual([
      { ticketId: old.id, number: old.number, at: revisitAt, comment: '电梯还是慢' },
    ]);
    const check = raw();
    try {
      const plan = (sql: string) =>
        (check.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 1) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(
        plan('SELECT kind, count(*) FROM tickets WHERE created_at >= ? AND created_at < ? GROUP BY kind'),
      ).toContain('COVERING INDEX tickets_created_counts');
      expect(
        plan('SELECT doc FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id'),
      ).toContain('INDEX tickets_created_counts');
      expect(
        plan(
          'SELECT id FROM tickets WHERE revisit_comment_at >= ? AND revisit_comment_at < ? ORDER BY revisit_comment_at, id',
        ),
      ).toContain('INDEX tickets_revisit_comment');
    } finally {
      check.close();
    }
  });

  it('keeps instants as integer milliseconds in columns and ISO strings in documents', async () => {
    const store = await open();
    const ticket = makeTicket({ createdAt: T0, updatedAt: T0 });
    await store.saveTicket(ticket);
    const db = raw();
    try {
      const row = db.prepare('SELECT created_at, doc FROM tickets WHERE id = ?').get(ticket.id) as {
        created_at: number;
        doc: string;
      };
      expect(row.created_at).toBe(T0.getTime());
      expect(JSON.parse(row.doc)).toMatchObject({ createdAt: T0.toISOString(), timeline: [{ at: T0.toISOString() }] });
    } finally {
      db.close();
    }
  });

  it('reports a corrupt document as STORE_CORRUPT', async () => {
    const store = await open();
    const owner = makeOwner();
    await store.saveOwner(owner);
    const db = raw();
    db.prepare('UPDATE owners SET doc = ? WHERE id = ?').run('{not json', owner.id);
    db.close();

    await expect(store.getOwner(owner.id)).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CORRUPT' });
  });

  it('undoes a refused write inside a transaction and keeps the transaction usable', async () => {
    const store = await open();
    const first = makeOwner({ identities: [{ channel: 'telegram', userId: 'tg-1', chatId: 'c-1' }] });
    const second = makeOwner({ identities: [{ channel: 'telegram', userId: 'tg-1', chatId: 'c-2' }] });
    await store.transaction(async (tx) => {
      await tx.saveOwner(first);
      await expect(tx.saveOwner(second)).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CONFLICT' });
      await tx.setSetting('after', 'yes');
    });
    expect(await store.getOwner(first.id)).toEqual(first);
    expect(await store.getOwner(second.id)).toBeUndefined();
    expect(await store.getSetting('after')).toBe('yes');
  });

  it('undoes the whole of a batch refused part-way inside a transaction, keeping what came before', async () => {
    const store = await open();
    const item = (id: string, chatId: string) => ({
      id,
      channel: 'telegram' as const,
      chatId,
      action: { kind: 'send' as const, message: { text: id } },
    });
    await store.transaction(async (tx) => {
      await tx.enqueue([item('o-1', 'c-1')], T0);
      // The second item's id is taken: the first item of this batch must not stay behind.
      await expect(tx.enqueue([item('o-2', 'c-2'), item('o-1', 'c-3')], T0)).rejects.toMatchObject({
        code: 'STORE_CONFLICT',
      });
      await tx.enqueue([item('o-3', 'c-3')], T0);
    });
    expect((await store.listOutbox({})).map((o) => o.id)).toEqual(['o-1', 'o-3']);
  });

  it('undoes a refused single-statement write inside a transaction without a savepoint of its own', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await tx.saveTicket(makeTicket({ id: 't-1', number: 'T-1' }));
      await tx.setSetting('before', 'yes');
      // The number is taken: the statement is refused as a whole, the transaction goes on.
      await expect(tx.saveTicket(makeTicket({ id: 't-2', number: 'T-1' }))).rejects.toMatchObject({
        code: 'STORE_CONFLICT',
      });
      await tx.setSetting('after', 'yes');
    });
    expect(await store.getTicket('t-2')).toBeUndefined();
    expect((await store.getTicket('t-1'))?.number).toBe('T-1');
    expect([await store.getSetting('before'), await store.getSetting('after')]).toEqual(['yes', 'yes']);
  });

  it('still rolls back the whole transaction, savepointed writes and plain ones alike, when it fails', async () => {
    const store = await open();
    const owner = makeOwner({ identities: [{ channel: 'telegram', userId: 'tg-9', chatId: 'c-9' }] });
    await expect(
      store.transaction(async (tx) => {
        await tx.saveOwner(owner);
        await tx.setSetting('k', 'v');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.getOwner(owner.id)).toBeUndefined();
    expect(await store.findOwnerByIdentity('telegram', 'tg-9')).toBeUndefined();
    expect(await store.getSetting('k')).toBeUndefined();
  });

  it('refuses calls on the store from inside its own transaction instead of deadlocking', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await tx.setSetting('a', '1');
      await expect(store.getSetting('a')).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CONFLICT' });
      await expect(store.transaction(async () => undefined)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    });
    expect(await store.getSetting('a')).toBe('1');
  });

  it('refuses a transaction object once its transaction has ended', async () => {
    const store = await open();
    let leaked: StoreTx | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.setSetting('late', 'x')).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORE_UNAVAILABLE',
    });
    expect(await store.getSetting('late')).toBeUndefined();
  });

  it('refuses calls once closed, and closes twice without complaint', async () => {
    const store = await open();
    await store.close();
    await store.close();
    await expect(store.getSetting('a')).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
  });

  it('lets two stores on one file claim jobs without ever claiming one twice', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    if (!a || !b) throw new Error('unreachable');
    const total = 200;
    await a.transaction(async (tx) => {
      for (let i = 0; i < total; i++) {
        await tx.scheduleJob({ id: `job-${i}`, type: 'reminder', dueAt: T0, payload: { i } }, T0);
      }
    });

    const claims: { worker: string; id: string }[] = [];
    const work = async (store: Store, worker: string, batch: number) => {
      for (;;) {
        const jobs =
          batch % 2 === 0
            ? await store.claimJobs(T0, worker, 60_000, batch)
            : await store.transaction((tx) => tx.claimJobs(T0, worker, 60_000, batch));
        if (jobs.length === 0) return;
        for (const job of jobs) {
          claims.push({ worker, id: job.id });
          expect(await store.completeJob(job.id, worker, T0)).toBe(true);
        }
      }
    };
    await Promise.all([work(a, 'worker-a', 7), work(b, 'worker-b', 5)]);

    expect(claims).toHaveLength(total);
    expect(new Set(claims.map((c) => c.id)).size).toBe(total);
    expect(claims.some((c) => c.worker === 'worker-a')).toBe(true);
    expect(claims.some((c) => c.worker === 'worker-b')).toBe(true);
    expect(await b.listJobs({ status: 'done' })).toHaveLength(total);
  });

  it('lets several processes on one file claim jobs without ever claiming one twice', async () => {
    const store = await open();
    const total = 300;
    await store.transaction(async (tx) => {
      for (let i = 0; i < total; i++) {
        await tx.scheduleJob({ id: `job-${i}`, type: 'reminder', dueAt: T0, payload: {} }, T0);
      }
    });

    const run = promisify(execFile);
    const workers = ['p1', 'p2', 'p3'];
    const outputs = await Promise.all(
      workers.map((worker) =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD_WORKER], {
          env: {
            ...process.env,
            STORE_MODULE,
            DB: file,
            NOW: T0.toISOString(),
            WORKER: worker,
            WORKERS: workers.join(','),
          },
        }),
      ),
    );
    const perWorker = outputs.map(({ stdout }) => JSON.parse(stdout) as string[]);
    const claimed = perWorker.flat();

    expect(perWorker.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    expect(claimed).toHaveLength(total);
    expect(new Set(claimed).size).toBe(total);
    expect(await store.listJobs({ status: 'done' })).toHaveLength(total);
  }, 60_000);

  it('lets two stores on one file deliver the outbox in order per chat, each item once', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    if (!a || !b) throw new Error('unreachable');
    const chats = 20;
    const perChat = 5;
    await a.enqueue(
      Array.from({ length: chats * perChat }, (_, i) => ({
        id: `out-${i}`,
        channel: 'telegram' as const,
        chatId: `chat-${i % chats}`,
        action: { kind: 'send' as const, message: { text: String(Math.floor(i / chats)) } },
      })),
      T0,
    );

    const delivered = new Map<string, string[]>();
    const work = async (store: Store, worker: string) => {
      for (;;) {
        const items = await store.claimOutbox(T0, worker, 60_000, 3);
        if (items.length === 0) return;
        for (const item of items) {
          const text = item.action.kind === 'send' ? item.action.message.text : '?';
          delivered.set(item.chatId, [...(delivered.get(item.chatId) ?? []), text]);
          await store.markOutboxSent(item.id, `pm-${item.id}`, T0);
        }
      }
    };
    await Promise.all([work(a, 'worker-a'), work(b, 'worker-b')]);

    expect(delivered.size).toBe(chats);
    for (const texts of delivered.values()) expect(texts).toEqual(['0', '1', '2', '3', '4']);
    expect(await a.listOutbox({ status: 'sent' })).toHaveLength(chats * perChat);
  });
});
