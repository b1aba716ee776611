/**
 * Texts an effect tells the owner, held to head the question that follows (AppContext.holdTexts): the order
 * the owner reads things in never changes — what is not the owner's next question goes after the held texts,
 * each on its own — and nothing held is lost when no question follows.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { AppContext } from '../../src/app/context.js';
import type { StoreTx } from '../../src/core/ports.js';
import type { Address } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { i18n, registry } from '../support/harness.js';

const OWNER: Address = { channel: 'console', chatId: 'owner' };
const STAFF: Address = { channel: 'console', chatId: 'staff' };

async function context() {
  const store = await openSqliteStore({ path: ':memory:' });
  let n = 0;
  const ctx = new AppContext({
    store,
    clock: new FakeClock(),
    registry,
    i18n,
    log: silentLogger(),
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '' },
    staffRooms: [STAFF],
    newId: () => `id-${++n}`,
  });
  const texts = async (chatId: string) =>
    (await store.listOutbox({ chatId })).map((i) => (i.action.kind === 'send' ? i.action.message.text : 'edit'));
  return { store, ctx, texts };
}

/** Asks `text` as question `ref` where the owner's next question is `question`, as runEngine does; its heading. */
async function ask(ctx: AppContext, tx: StoreTx, text: string, ref: string, question: string) {
  const headed = await ctx.headWithHeld(tx, OWNER, { kind: 'send', message: { text, ref } }, { question });
  await ctx.enqueue(tx, OWNER, headed.action);
  return headed.heading;
}

describe('texts held to head the next question', () => {
  it('heads the question that is the owner’s next, and only that one', async () => {
    const { store, ctx, texts } = await context();
    const heading = await store.transaction(async (tx) => {
      ctx.holdTexts(tx, OWNER);
      await ctx.sendTo(tx, OWNER, { text: '已为您登记。' });
      await ctx.sendTo(tx, STAFF, { text: 'card' }); // another chat: not held
      const heading = await ask(ctx, tx, '还有其他需要帮忙的吗？', 'prompt:4', 'prompt:4');
      await ctx.releaseTexts(tx);
      return heading;
    });
    expect(heading).toBe('已为您登记。');
    expect(await texts('owner')).toEqual(['已为您登记。\n\n还有其他需要帮忙的吗？']);
    expect(await texts('staff')).toEqual(['card']);
  });

  it('sends what was held first, on its own, when something else for the owner comes before a question', async () => {
    const { store, ctx, texts } = await context();
    await store.transaction(async (tx) => {
      ctx.holdTexts(tx, OWNER);
      await ctx.sendTo(tx, OWNER, { text: 'one' });
      await ctx.sendTo(tx, OWNER, { text: 'with a button', buttons: [[{ label: 'ok', data: 'x' }]] });
      await ctx.sendTo(tx, OWNER, { text: 'two' }); // held no more: sent as it comes
      expect(await ask(ctx, tx, 'question', 'prompt:2', 'prompt:2')).toBeUndefined();
    });
    expect(await texts('owner')).toEqual(['one', 'with a button', 'two', 'question']);
  });

  it('sends held texts on their own before a message that is not the question, and at the end when none follows', async () => {
    const { store, ctx, texts } = await context();
    await store.transaction(async (tx) => {
      ctx.holdTexts(tx, OWNER);
      await ctx.sendTo(tx, OWNER, { text: 'a' });
      await ctx.sendTo(tx, OWNER, { text: 'b' });
      // An older question's ref is not the owner's next question: the held texts go first, on their own.
      expect(await ask(ctx, tx, 'old', 'prompt:1', 'prompt:2')).toBeUndefined();
      ctx.holdTexts(tx, OWNER);
      await ctx.sendTo(tx, OWNER, { text: 'c' });
      await ctx.releaseTexts(tx);
    });
    expect(await texts('owner')).toEqual(['a', 'b', 'old', 'c']);
  });

  it('does not hold a text due later than the question (quiet hours)', async () => {
    const { store, ctx, texts } = await context();
    const later = new Date(Date.parse('2026-11-28T23:00:00Z'));
    await store.transaction(async (tx) => {
      ctx.holdTexts(tx, OWNER);
      await ctx.sendTo(tx, OWNER, { text: 'in the morning' }, later);
      expect(await ask(ctx, tx, 'question', 'prompt:3', 'prompt:3')).toBeUndefined();
    });
    expect(await texts('owner')).toEqual(['in the morning', 'question']);
  });
});
