/**
 * How an owner's message uses the store: one transaction and nothing else when the assistant asks no model
 * (the offline one reads inside it); with a model, the reading is done before the transaction, never in it.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import type { Locale } from '../../src/core/types.js';
import { countingStore, type StoreCalls } from '../support/counting-store.js';
import { makeHarness } from '../support/harness.js';

const offline = new OfflineAssistant(loadKeywords());

/** Sends as an owner; returns the transactions the message took and the other calls made on the store directly. */
async function owner(h: Awaited<ReturnType<typeof makeHarness>>, seen: StoreCalls) {
  let n = 0;
  return async (text: string) => {
    seen.direct.length = 0;
    n += 1;
    await h.app.handleInbound({
      channel: 'console',
      chatId: 'owner',
      chatKind: 'private',
      userId: 'u-owner',
      messageId: `m-${n}`,
      receivedAt: h.clock.now(),
      content: { type: 'text', text },
    });
    return {
      transactions: seen.direct.filter((name) => name === 'transaction').length,
      direct: seen.direct.filter((name) => name !== 'transaction' && name !== 'close'),
    };
  };
}

describe('an owner message and the store', () => {
  it('takes one transaction and no other read with the offline assistant, and still understands free text', async () => {
    const { store, calls: seen } = countingStore(await openSqliteStore({ path: ':memory:' }));
    const h = await makeHarness({ store, assistant: offline });
    const say = await owner(h, seen);
    for (const text of ['/start', '1', '卫生间天花板漏水，滴到地上了']) {
      expect(await say(text), text).toEqual({ transactions: 1, direct: [] });
    }
    // The free text was read as a report (the conversation moved on from the menu into a flow).
    const thread = await store.getThread('console', 'owner');
    expect(thread?.state.flow).toBeDefined();
  });

  it('asks a model before the transaction, never inside it', async () => {
    const { store, calls: seen } = countingStore(await openSqliteStore({ path: ':memory:' }));
    const asked: boolean[] = [];
    const model = Object.assign(Object.create(offline) as OfflineAssistant, {
      mode: 'openai' as const,
      understand: async (text: string, locale: Locale) => {
        asked.push(seen.open);
        return offline.understand(text, locale);
      },
    });
    const h = await makeHarness({ store, assistant: model });
    const say = await owner(h, seen);
    await say('/start');
    await say('1');
    const used = await say('卫生间天花板漏水，滴到地上了');
    expect(asked).toEqual([false]);
    expect(used.transactions).toBe(1);
    expect(used.direct).toContain('getThread');
  });
});
