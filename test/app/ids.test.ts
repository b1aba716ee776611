/**
 * The ids the app gives what it records are UUIDv7 (RFC 9562): time first, so that a table's id index grows at
 * its end (a random id put every row's index entry on a page anywhere), with the version and variant bits
 * right and the rest random.
 */
import { describe, expect, it } from 'vitest';
import { makeHarness } from '../support/harness.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('record ids', () => {
  it('are UUIDv7, in the order the records were made', async () => {
    const h = await makeHarness();
    await h.send('/start');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await h.send('/start', { chatId: 'another' });
    await h.send('/start', { chatId: 'third' });
    const items = await h.store.listOutbox({});
    expect(items.length).toBeGreaterThanOrEqual(3);
    for (const item of items) expect(item.id).toMatch(V7);
    const bySeq = [...items].sort((a, b) => a.seq - b.seq).map((i) => i.id);
    expect([...bySeq].sort()).toEqual(bySeq);
    expect(new Set(bySeq).size).toBe(bySeq.length);
  });
});
