/**
 * The ids the app gives what it records are UUIDv7 (RFC 9562): time first, so that a table's id index grows at
 * its end (a random id put every row's index entry on a page anywhere), with the version and variant bits
 * right and the rest random.
 */
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/app/ids.js';
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

describe('newId', () => {
  /** The milliseconds an id holds in its first 48 bits. */
  const msecsOf = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

  it('gives valid v7 ids, each new and later than the one before, across many fills of its random bytes', () => {
    const before = Date.now();
    const ids = Array.from({ length: 10_000 }, () => newId());
    const after = Date.now();
    for (const id of ids) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(ids.length);
    // Many are made in the same millisecond: they still sort in the order they were made.
    expect([...ids].sort()).toEqual(ids);
    for (const id of [ids[0], ids.at(-1)]) {
      expect(msecsOf(id as string)).toBeGreaterThanOrEqual(before);
      expect(msecsOf(id as string)).toBeLessThanOrEqual(after);
    }
  });

  it('keeps time order from one millisecond to the next, with random bits that differ from id to id', async () => {
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 3));
    const second = newId();
    expect(msecsOf(second)).toBeGreaterThan(msecsOf(first));
    expect(second > first).toBe(true);
    // The last 40 bits are random for every id (the sequence before them counts on): no two of a few hundred
    // ids share them.
    const tails = Array.from({ length: 600 }, () => newId().slice(-10));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
