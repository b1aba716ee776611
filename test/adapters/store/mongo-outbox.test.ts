/**
 * The MongoDB outbox's claim rule, which runs in the adapter (the SQLite adapter states it in SQL): one
 * item per chat, none while one is being sent, cosmetic edits stepping aside for due items and never
 * going before an earlier one; and the cosmetic flag's mapping. Needs no server (the store contract runs
 * the rest against MONGODB_URI).
 */
import { describe, expect, it } from 'vitest';
import { outboxFromDoc, outboxToDoc } from '../../../src/adapters/store/mongo/mapping.js';
import { pickClaimable, type QueuedItem } from '../../../src/adapters/store/mongo/outbox.js';

const NOW = new Date('2026-11-28T02:00:00Z');
const LATER = new Date(NOW.getTime() + 60_000);

let n = 0;
function queued(o: Partial<QueuedItem> = {}): QueuedItem {
  n += 1;
  return { id: `i${n}`, seq: n, status: 'pending', notBefore: NOW, kind: 'send', ...o };
}
const closing = (ref: string, o: Partial<QueuedItem> = {}) => queued({ kind: 'edit', ref, cosmetic: true, ...o });
const picked = (items: QueuedItem[]) => {
  const pick = pickClaimable(items, NOW);
  return pick && { id: pick.item.id, superseded: pick.superseded };
};

describe('MongoDB outbox: the claimable item of a chat', () => {
  it('takes the oldest ordinary item, passing over cosmetic edits before it', () => {
    const c = closing('prompt:1');
    const q = queued();
    expect(picked([c, q, queued()])).toEqual({ id: q.id, superseded: false });
  });

  it('takes a cosmetic edit only when no later ordinary item is due, and never after an earlier one', () => {
    const c = closing('prompt:1');
    expect(picked([c, queued({ notBefore: LATER })])).toEqual({ id: c.id, superseded: false });
    expect(picked([queued({ notBefore: LATER }), closing('prompt:2')])).toBeUndefined();
    const first = closing('prompt:3');
    expect(picked([first, closing('prompt:4')])).toEqual({ id: first.id, superseded: false });
  });

  it('takes nothing while an item of the chat is being sent; takes over an expired lease', () => {
    const sending = queued({ status: 'sending', leaseUntil: LATER });
    expect(picked([closing('prompt:1'), sending, queued()])).toBeUndefined();
    const expired = queued({ status: 'sending', leaseUntil: new Date(NOW.getTime() - 1) });
    expect(picked([closing('prompt:1'), expired, queued()])).toEqual({ id: expired.id, superseded: false });
  });

  it('marks a cosmetic edit superseded by a later cosmetic edit of the same message', () => {
    const early = closing('prompt:5');
    expect(picked([early, closing('prompt:5')])).toEqual({ id: early.id, superseded: true });
    const other = closing('prompt:6');
    expect(picked([other, closing('prompt:7')])).toEqual({ id: other.id, superseded: false });
  });

  it('keeps the cosmetic flag through the mapping, and leaves it out of ordinary items', () => {
    const base = {
      id: 'o1',
      channel: 'telegram' as const,
      chatId: '7',
      action: { kind: 'edit' as const, ref: 'prompt:1', message: { text: 'x' } },
      status: 'pending' as const,
      attempts: 0,
      notBefore: NOW,
      createdAt: NOW,
    };
    expect(outboxFromDoc(outboxToDoc({ ...base, cosmetic: true }, 1))).toEqual({ ...base, seq: 1, cosmetic: true });
    const plain = outboxFromDoc(outboxToDoc(base, 2));
    expect('cosmetic' in plain).toBe(false);
  });
});
