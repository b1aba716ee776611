/**
 * Retention of the audit log (RETAIN_AUDIT_LOG, default three years): entries older than the setting go,
 * a batch at a time; nothing younger is touched, whatever the other records' settings.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { pruneOldRecords } from '../../src/app/retention.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';

const DAY = 86_400_000;
const NOW = new Date('2029-12-01T02:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

describe('audit log retention', () => {
  it('keeps three years by default and deletes only what is older than the setting', async () => {
    expect(loadConfig({}).retention.auditLogMs).toBe(1096 * DAY);
    expect(loadConfig({ RETAIN_AUDIT_LOG: '400d' }).retention.auditLogMs).toBe(400 * DAY);
    const store = await openSqliteStore({ path: ':memory:' });
    for (const days of [2000, 1200, 1097, 1095, 400, 1]) {
      await store.appendAudit({
        id: `a-${days}`,
        at: ago(days),
        actor: { kind: 'staff', id: 'telegram:a' },
        action: 'ticket.accept',
        via: 'telegram',
      });
    }
    const policy = { messageLogMs: DAY, deliveredOutboxMs: DAY, auditLogMs: loadConfig({}).retention.auditLogMs };
    const left = async () => (await store.listAudit({})).entries.map((e) => e.id);
    const run = (p: typeof policy) => pruneOldRecords(store, { now: () => NOW }, p, silentLogger(), 2);

    expect((await run(policy)).audit).toBe(3);
    expect(await left()).toEqual(['a-1095', 'a-400', 'a-1']);
    expect((await run(policy)).audit).toBe(0);
    expect((await run({ ...policy, auditLogMs: 400 * DAY })).audit).toBe(1);
    expect(await left()).toEqual(['a-400', 'a-1']);
    await store.close();
  });
});
