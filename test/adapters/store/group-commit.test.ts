/**
 * Group commit in the SQLite store: transactions and direct writes that queue up for the lock one after
 * another share one SQLite transaction, each still all or nothing and answered only once its group has
 * committed; the lock is still taken in the order it was asked for. And the reentry guard, on under the tests, off in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { catchesReentry, TransactionGuard } from '../../../src/adapters/store/shared/methods.js';
import { migrate } from '../../../src/adapters/store/sqlite/migrations.js';
import { composeOps } from '../../../src/adapters/store/sqlite/store.js';
import {
  GROUP_MAX,
  GROUP_MAX_TRANSACTIONS,
  GROUP_SPAN_MS,
  privateLock,
  SqliteTransactions,
} from '../../../src/adapters/store/sqlite/transactions.js';
import { StoreError } from '../../../src/core/ports.js';
import { makeTicket } from '../../fixtures.js';

function open() {
  const db = new Database(':memory:');
  migrate(db);
  const transactions = new SqliteTransactions(db, composeOps(db), privateLock());
  return { db, transactions, store: transactions.asStore() };
}

describe('SQLite group commit', () => {
  it('commits writes made together in one transaction, each answered once it is committed', async () => {
    const { transactions, store } = open();
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((k) => store.setSetting(k, k.toUpperCase())));
    expect(transactions.groups).toEqual({ commits: 1, writes: 10 });
    for (const k of keys) expect(await store.getSetting(k)).toBe(k.toUpperCase());
  });

  it('holds no more than GROUP_MAX writes in one group', async () => {
    const { transactions, store } = open();
    await Promise.all(Array.from({ length: GROUP_MAX + 1 }, (_, i) => store.setSetting(`k${i}`, 'v')));
    expect(transactions.groups).toEqual({ commits: 2, writes: GROUP_MAX + 1 });
  });

  it('fails only the write that fails: the others of its group are committed', async () => {
    const { store } = open();
    const first = makeTicket({ id: 'T-1', number: 'T261207-0001' });
    const clash = makeTicket({ id: 'T-2', number: 'T261207-0001' });
    const results = await Promise.allSettled([
      store.setSetting('before', '1'),
      store.saveTicket(first),
      store.saveTicket(clash),
      store.setSetting('after', '2'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect(await store.getSetting('before')).toBe('1');
    expect(await store.getSetting('after')).toBe('2');
    expect((await store.getTicket('T-1'))?.number).toBe('T261207-0001');
    expect(await store.getTicket('T-2')).toBeUndefined();
  });

  it('runs a group in the order the lock was asked in, transactions with writes, and a read ends the group', async () => {
    const { transactions, store } = open();
    const seen: (string | undefined)[] = [];
    const a = store.setSetting('a', '1');
    const t = store.transaction(async (tx) => {
      seen.push(await tx.getSetting('a'), await tx.getSetting('b'));
      await tx.setSetting('c', '3');
    });
    const b = store.setSetting('b', '2');
    await Promise.all([a, t, b]);
    expect(seen).toEqual(['1', undefined]);
    expect(transactions.groups).toEqual({ commits: 1, writes: 3 });
    const d = store.setSetting('d', '4');
    const read = store.getSetting('d');
    const e = store.setSetting('e', '5');
    expect(await read).toBe('4');
    await Promise.all([d, e]);
    expect(transactions.groups).toEqual({ commits: 3, writes: 5 });
  });

  it('commits transactions asked for together once, at most GROUP_MAX_TRANSACTIONS in a group', async () => {
    const { transactions, store } = open();
    const ask = (i: number) =>
      store.transaction(async (tx) => {
        await tx.setSetting(`k${i}`, String(i));
        return (await tx.getSetting(`k${i}`)) ?? '';
      });
    const answers = await Promise.all(Array.from({ length: GROUP_MAX_TRANSACTIONS + 1 }, (_, i) => ask(i)));
    expect(answers).toEqual(Array.from({ length: GROUP_MAX_TRANSACTIONS + 1 }, (_, i) => String(i)));
    expect(transactions.groups).toEqual({ commits: 2, writes: GROUP_MAX_TRANSACTIONS + 1 });
  });

  it('undoes only the transaction that throws: the others of its group are committed', async () => {
    const { transactions, store } = open();
    const refused = new Error('the callback gave up');
    const results = await Promise.allSettled([
      store.transaction(async (tx) => tx.setSetting('x', '1')),
      store.transaction(async (tx) => {
        await tx.setSetting('y', '2');
        await tx.saveTicket(makeTicket({ id: 'T-9', number: 'T261207-0009' }));
        throw refused;
      }),
      store.setSetting('z', '3'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBe(refused);
    expect(transactions.groups).toEqual({ commits: 1, writes: 2 });
    expect(await store.getSetting('x')).toBe('1');
    expect(await store.getSetting('y')).toBeUndefined();
    expect(await store.getTicket('T-9')).toBeUndefined();
    expect(await store.getSetting('z')).toBe('3');
  });

  it('commits and answers what a group has done once it has run GROUP_SPAN_MS, and goes on in a new transaction', async () => {
    const { transactions, store } = open();
    const seen: string[] = [];
    const slow = (name: string) =>
      store
        .transaction(async (tx) => {
          seen.push(`${name} runs`);
          await tx.setSetting(name, name);
          await new Promise((resolve) => setTimeout(resolve, GROUP_SPAN_MS * 0.7));
        })
        .then(() => seen.push(`${name} answered`));
    await Promise.all(['a', 'b', 'c', 'd'].map(slow));
    // a and b take longer than the span together: they are committed and answered while c runs, not after d.
    expect(seen.indexOf('a answered')).toBeLessThan(seen.indexOf('d runs'));
    expect(transactions.groups.commits).toBeGreaterThanOrEqual(2);
    expect(transactions.groups.writes).toBe(4);
    for (const name of ['a', 'b', 'c', 'd']) expect(await store.getSetting(name)).toBe(name);
  });

  it('answers a transaction only once its group is committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'residesk-group-'));
    const file = join(dir, 'store.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    migrate(db);
    const store = new SqliteTransactions(db, composeOps(db), privateLock()).asStore();
    const other = new Database(file, { readonly: true });
    const committed = (key: string) => other.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key);
    try {
      const seenAtAnswer: unknown[] = [];
      await Promise.all(
        ['p', 'q', 'r'].map((key) =>
          store.transaction(async (tx) => tx.setSetting(key, key)).then(() => seenAtAnswer.push(committed(key))),
        ),
      );
      expect(seenAtAnswer).toEqual(['p', 'q', 'r']);
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('commits the writes asked for before the store closes, and refuses those after', async () => {
    const { db, store } = open();
    const writes = [store.setSetting('a', '1'), store.setSetting('b', '2')];
    const closing = store.close();
    const late = store.setSetting('c', '3');
    expect(await Promise.all(writes)).toEqual([undefined, undefined]);
    await closing;
    await expect(late).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(db.open).toBe(false);
  });
});

describe('the reentry guard', () => {
  const reentered = async (catchReentry: boolean) => {
    const guard = new TransactionGuard({}, catchReentry);
    return guard.run(async () => {
      await Promise.resolve();
      try {
        guard.refuseReentry('getSetting');
        return 'allowed';
      } catch (error) {
        return (error as StoreError).code;
      }
    });
  };

  it('refuses a call from inside a transaction where reentry is caught (the tests)', async () => {
    expect(await reentered(true)).toBe('STORE_CONFLICT');
  });

  it('tracks no async context where it is not (production): nothing is refused', async () => {
    expect(await reentered(false)).toBe('allowed');
  });

  it('is on from Node 24 (where async context is free), and on Node 20 only under the tests or in development', () => {
    expect(catchesReentry('24.22.3', {})).toBe(true);
    expect(catchesReentry('26.0.0', { NODE_ENV: 'production' })).toBe(true);
    expect(catchesReentry('20.20.2', {})).toBe(false);
    expect(catchesReentry('20.20.2', { NODE_ENV: 'production' })).toBe(false);
    expect(catchesReentry('20.20.2', { VITEST: 'true' })).toBe(true);
    expect(catchesReentry('20.20.2', { NODE_ENV: 'development' })).toBe(true);
  });
});
