/**
 * What an owner waits for (issue 17, goal 2): the next question goes before the edit that takes the
 * buttons off the answered one, and such edits are paced from the chat's allowance to spare, never lost.
 * Also the dispatcher's side of it: an edit never goes before its message (and is skipped when that
 * message was never sent), a delivery costs the store the claim and one write, and the loop wakes when
 * each deferred message is due, not a poll period later.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramRateLimiter } from '../../src/adapters/channels/telegram/limiter.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { type ChannelSender, type Delivery, Dispatcher } from '../../src/app/dispatcher.js';
import type { NewOutboxItem, Store } from '../../src/core/ports.js';
import type { OutboundAction } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { countingStore } from '../support/counting-store.js';
import { makeHarness } from '../support/harness.js';

interface Delivered {
  chatId: string;
  action: OutboundAction;
  target: string | undefined;
  /** The fake clock's time of the call. */
  at: number;
}

/** A sender that records every call (with its target and time) and answers as `answer` says. */
class Recorder implements ChannelSender {
  readonly calls: Delivered[] = [];
  private n = 0;
  answer: (action: OutboundAction) => Delivery | undefined = () => undefined;

  constructor(
    readonly channel: 'console' | 'telegram',
    private readonly clock: FakeClock,
    private readonly limiter?: TelegramRateLimiter,
    private readonly wait?: (chatId: string, now: number) => number,
  ) {}

  reserve(chatId: string, now: number, opts?: { cosmetic?: boolean }): number {
    if (this.wait) return this.wait(chatId, now);
    return this.limiter?.reserve(chatId, now, opts) ?? 0;
  }

  async deliver(chatId: string, action: OutboundAction, target?: string): Promise<Delivery> {
    this.calls.push({ chatId, action, target, at: this.clock.now().getTime() });
    const given = this.answer(action);
    if (given) return given;
    this.n += 1;
    return { status: 'sent', platformMessageId: action.kind === 'edit' ? String(target) : `pm-${this.n}` };
  }
}

const describeCall = (c: Delivered) =>
  c.action.kind === 'edit' ? `edit ${c.action.ref}` : `send ${c.action.message.ref ?? c.action.message.text}`;

const closes: Store[] = [];
const dispatchers: Dispatcher[] = [];
afterEach(async () => {
  for (const d of dispatchers.splice(0)) await d.stop();
  for (const s of closes.splice(0)) await s.close();
});

describe('the next question first', () => {
  it('delivers the next question before the edit that closes the answered one, and the edit after it', async () => {
    const h = await makeHarness();
    closes.push(h.store);
    await h.send('/start');
    const before = h.sender.sent.length;
    await h.send('1');
    const after = h.sender.sent.slice(before).filter((s) => s.chatId === 'owner');
    // The category question (with its buttons), then the menu closed: nothing dropped.
    expect(after.map((s) => s.action.kind)).toEqual(['send', 'edit']);
    const [question, closing] = after.map((s) => s.action);
    expect(question?.kind === 'send' && question.message.buttons?.length).toBeGreaterThan(0);
    expect(closing).toMatchObject({ kind: 'edit', ref: 'prompt:1' });
    expect(closing?.message.buttons ?? []).toEqual([]);
    // The edit went with the question (one outbox item), made once the question was sent.
    const queued = await h.store.listOutbox({ chatId: 'owner' });
    const last = queued.at(-1);
    expect(last?.action.kind === 'send' && last.action.closes?.ref).toBe('prompt:1');
    expect(queued.filter((i) => i.cosmetic)).toEqual([]);
    expect(queued.every((i) => i.status === 'sent')).toBe(true);
  });

  it('never lets a closing edit take the allowance of a question: an owner who answers at once waits for no edit', async () => {
    const clock = new FakeClock('2026-11-28T02:00:00Z');
    const h = await makeHarness({ clock });
    closes.push(h.store);
    // Telegram's per-chat limit (three at once, one a second) on the chat the harness's app writes to.
    const sender = new Recorder(
      'console',
      clock,
      new TelegramRateLimiter({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 }),
    );
    const dispatcher = new Dispatcher({ store: h.store, clock, senders: [sender], log: silentLogger(), workerId: 'd' });
    let n = 0;
    const answer = async (text: string) => {
      n += 1;
      await h.app.handleInbound({
        channel: 'console',
        chatId: 'owner',
        chatKind: 'private',
        userId: 'u-owner',
        messageId: `m-${n}`,
        receivedAt: clock.now(),
        content: { type: 'text', text },
      });
      await dispatcher.drain();
    };
    // A quiet chat, then an owner who answers each question the second it arrives.
    await answer('/start');
    for (const text of ['1', '1', '3-2-501', '卫生间天花板漏水']) {
      clock.advance(1000);
      const asked = sender.calls.length;
      await answer(text);
      // The next question went out at once, at the moment of the answer.
      const now = sender.calls.slice(asked).filter((c) => c.action.kind === 'send');
      expect(now.length, `after "${text}"`).toBeGreaterThan(0);
      expect(now.every((c) => c.at === clock.now().getTime())).toBe(true);
    }
    // The menu and the category list were closed (typed answers leave no buttons to take off): each
    // closing edit went with the next question, and waited on its own when the chat had no allowance to
    // spare right after that question.
    const queued = await h.store.listOutbox({ chatId: 'owner' });
    const closing = queued.flatMap((i) => (i.action.kind === 'send' && i.action.closes ? [i.action.closes.ref] : []));
    expect(closing.length).toBeGreaterThanOrEqual(2);
    expect(queued.some((i) => i.cosmetic && i.id.endsWith(':closes'))).toBe(true);
    // The edits waited; once the owner pauses, every one of them is made, each after its own question and
    // on the message that question became.
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      await dispatcher.drain();
    }
    const made = sender.calls.flatMap((c, index) =>
      c.action.kind === 'edit' ? [{ ref: c.action.ref, index, c }] : [],
    );
    expect(made.map((m) => m.ref).sort()).toEqual([...closing].sort());
    const after = await h.store.listOutbox({ chatId: 'owner' });
    for (const edit of made) {
      const asked = sender.calls.findIndex((c) => c.action.kind === 'send' && c.action.message.ref === edit.ref);
      expect(asked).toBeGreaterThanOrEqual(0);
      expect(edit.index).toBeGreaterThan(asked);
      const question = after.find((i) => i.action.kind === 'send' && i.action.message.ref === edit.ref);
      expect(edit.c.target).toBe(question?.platformMessageId);
    }
    expect((await h.store.listOutbox({ chatId: 'owner' })).every((i) => i.status === 'sent')).toBe(true);
  });
});

describe('Dispatcher: edits and their messages', () => {
  let store: Store;
  let clock: FakeClock;
  let seq = 0;

  async function setUp() {
    clock = new FakeClock('2026-11-28T02:00:00Z');
    store = await openSqliteStore({ path: ':memory:' });
    closes.push(store);
  }

  function item(chatId: string, action: OutboundAction, cosmetic = false): NewOutboxItem {
    seq += 1;
    return { id: `i-${seq}`, channel: 'telegram', chatId, action, ...(cosmetic ? { cosmetic } : {}) };
  }
  const ask = (chatId: string, n: number) =>
    item(chatId, {
      kind: 'send',
      message: { text: `question ${n}`, ref: `prompt:${n}`, buttons: [[{ label: 'a', data: `${n}:a` }]] },
    });
  const close = (chatId: string, n: number) =>
    item(chatId, { kind: 'edit', ref: `prompt:${n}`, message: { text: `question ${n}\n\n✓ a` } }, true);

  function dispatcher(sender: ChannelSender, pollMs?: number): Dispatcher {
    const d = new Dispatcher({
      store,
      clock,
      senders: [sender],
      log: silentLogger(),
      workerId: `w${dispatchers.length}`,
      random: () => 0,
      ...(pollMs ? { pollMs } : {}),
    });
    dispatchers.push(d);
    return d;
  }

  it('never sends a closing edit before its question, and edits the question it closes', async () => {
    await setUp();
    const sender = new Recorder('telegram', clock);
    // As the engine writes them: the question, then (answered) its closing edit and the next question.
    await store.enqueue([ask('7', 1), close('7', 1), ask('7', 2), close('7', 2), ask('7', 3)], clock.now());
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall)).toEqual([
      'send prompt:1',
      'send prompt:2',
      'send prompt:3',
      'edit prompt:1',
      'edit prompt:2',
    ]);
    expect(sender.calls.filter((c) => c.action.kind === 'edit').map((c) => c.target)).toEqual(['pm-1', 'pm-2']);
  });

  /** The next question with the closing edit of question `n` going with it, as the owner's conversation writes it. */
  const askClosing = (chatId: string, next: number, n: number) =>
    item(chatId, {
      kind: 'send',
      message: { text: `question ${next}`, ref: `prompt:${next}`, buttons: [[{ label: 'a', data: `${next}:a` }]] },
      closes: { ref: `prompt:${n}`, message: { text: `question ${n}\n\n✓ a` } },
    });

  it('makes the closing edit a message carries right after it, on the question it closes, with no item of its own', async () => {
    await setUp();
    const sender = new Recorder('telegram', clock);
    await store.enqueue([ask('7', 1)], clock.now());
    await dispatcher(sender).drain();
    await store.enqueue([askClosing('7', 2, 1)], clock.now());
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall)).toEqual(['send prompt:1', 'send prompt:2', 'edit prompt:1']);
    const edit = sender.calls[2];
    expect(edit?.target).toBe('pm-1');
    expect(edit?.action.message.text).toBe('question 1\n\n✓ a');
    // The message went as it is, without its closing edit.
    expect(sender.calls[1]?.action).toMatchObject({ kind: 'send', message: { ref: 'prompt:2' } });
    expect((await store.listOutbox({ chatId: '7' })).map((i) => [i.action.kind, i.status])).toEqual([
      ['send', 'sent'],
      ['send', 'sent'],
    ]);
  });

  it('queues the closing edit on its own when the chat has no allowance to spare, and makes it later', async () => {
    await setUp();
    // Telegram's per-chat limit: three at once, one a second.
    const limiter = new TelegramRateLimiter({ globalPerSecond: 30, privatePerSecond: 1, groupPerMinute: 20 });
    const sender = new Recorder('telegram', clock, limiter);
    await store.enqueue([ask('7', 1)], clock.now());
    await dispatcher(sender).drain();
    await store.enqueue([askClosing('7', 2, 1)], clock.now());
    await dispatcher(sender).drain();
    // Two messages in the same second leave the chat one: not one to spare.
    expect(sender.calls.map(describeCall)).toEqual(['send prompt:1', 'send prompt:2']);
    const [, question, closing] = await store.listOutbox({ chatId: '7' });
    expect(question).toMatchObject({ status: 'sent' });
    expect(closing).toMatchObject({
      id: `${question?.id}:closes`,
      status: 'pending',
      cosmetic: true,
      action: { kind: 'edit', ref: 'prompt:1' },
    });
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await dispatcher(sender).drain();
    }
    expect(sender.calls.map(describeCall)).toEqual(['send prompt:1', 'send prompt:2', 'edit prompt:1']);
    expect(sender.calls[2]?.target).toBe('pm-1');
  });

  it('queues a closing edit that failed for another try, and gives up one the platform refuses', async () => {
    await setUp();
    const sender = new Recorder('telegram', clock);
    let failing: Delivery = { status: 'transient', reason: '502' };
    sender.answer = (action) => (action.kind === 'edit' ? failing : undefined);
    await store.enqueue([ask('7', 1), askClosing('7', 2, 1)], clock.now());
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall)).toEqual(['send prompt:1', 'send prompt:2', 'edit prompt:1']);
    expect((await store.listOutbox({ chatId: '7' })).at(-1)).toMatchObject({ status: 'pending', cosmetic: true });
    // Tried again when due; refused for good this time: it is not queued again.
    failing = { status: 'rejected', reason: '400: message to edit not found' };
    clock.advance(5000);
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall)).toEqual([
      'send prompt:1',
      'send prompt:2',
      'edit prompt:1',
      'edit prompt:1',
    ]);
    expect((await store.listOutbox({ chatId: '7' })).map((i) => i.status)).toEqual(['sent', 'sent', 'dead']);
    await store.enqueue([askClosing('7', 3, 2)], clock.now());
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall).slice(-2)).toEqual(['send prompt:3', 'edit prompt:2']);
    expect((await store.listOutbox({ chatId: '7' })).map((i) => i.status)).toEqual(['sent', 'sent', 'dead', 'sent']);
  });

  it('keeps the closing edit of a message whose outcome is unknown, and makes none for a question never sent', async () => {
    await setUp();
    const sender = new Recorder('telegram', clock);
    sender.answer = (action) =>
      action.kind === 'send' && action.message.ref === 'prompt:2'
        ? { status: 'unknown', reason: 'no answer within 10 s' }
        : undefined;
    await store.enqueue([ask('7', 1), askClosing('7', 2, 1)], clock.now());
    await dispatcher(sender).drain();
    // The question was probably shown: its edit is queued on its own, and made.
    clock.advance(5000);
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall)).toEqual(['send prompt:1', 'send prompt:2', 'edit prompt:1']);
    // A closing edit of a question this chat never got costs no call.
    await store.enqueue([askClosing('8', 5, 4)], clock.now());
    await dispatcher(sender).drain();
    expect(sender.calls.map(describeCall).slice(-1)).toEqual(['send prompt:5']);
    expect(await store.listOutbox({ chatId: '8' })).toHaveLength(1);
  });

  it('skips an edit whose message was never sent (it failed for good), and goes on with the chat', async () => {
    await setUp();
    const sender = new Recorder('telegram', clock);
    sender.answer = (action) =>
      action.kind === 'send' && action.message.ref === 'prompt:1' ? { status: 'rejected', reason: '400' } : undefined;
    await store.enqueue([ask('7', 1), close('7', 1), ask('7', 2)], clock.now());
    await dispatcher(sender).drain();
    // No call for the edit: there was nothing to edit.
    expect(sender.calls.map(describeCall)).toEqual(['send prompt:1', 'send prompt:2']);
    expect((await store.listOutbox({ chatId: '7' })).map((i) => i.status)).toEqual(['dead', 'sent', 'sent']);
  });

  it('makes only the last of two closing edits of one message that have not gone yet', async () => {
    await setUp();
    const sender = new Recorder('telegram', clock);
    await store.enqueue([ask('7', 1)], clock.now());
    await dispatcher(sender).drain();
    const later = item('7', { kind: 'edit', ref: 'prompt:1', message: { text: 'question 1\n\n✓ b' } }, true);
    await store.enqueue([close('7', 1), later], clock.now());
    await dispatcher(sender).drain();
    expect(sender.calls.map((c) => c.action.message.text)).toEqual(['question 1', 'question 1\n\n✓ b']);
    const [, superseded, made] = await store.listOutbox({ chatId: '7' });
    expect(superseded).toMatchObject({ status: 'sent', lastError: expect.stringMatching(/superseded/) });
    expect(made).toMatchObject({ status: 'sent' });
  });

  it('costs the store the claim and one write per delivery: no read for an edit or a reply', async () => {
    await setUp();
    const { store: counted, calls: seen } = countingStore(store);
    const calls = seen.direct;
    const sender = new Recorder('telegram', clock);
    await store.enqueue(
      [
        item('staff', { kind: 'send', message: { text: 'card', ref: 'card:T1' } }),
        item('staff', { kind: 'edit', ref: 'card:T1', message: { text: 'card, accepted' } }),
        item('staff', { kind: 'send', message: { text: 'a note', replyToRef: 'card:T1' } }),
      ],
      clock.now(),
    );
    const d = new Dispatcher({ store: counted, clock, senders: [sender], log: silentLogger(), workerId: 'c' });
    await d.drain();
    expect(sender.calls.map((c) => c.target)).toEqual([undefined, 'pm-1', 'pm-1']);
    expect(calls.filter((c) => c !== 'claimOutbox')).toEqual(['markOutboxSent', 'markOutboxSent', 'markOutboxSent']);
    // One claim per item (each waits for the one before it) and the last that finds nothing.
    expect(calls.filter((c) => c === 'claimOutbox')).toHaveLength(4);
  });

  it('waits out a full bot-wide limit once, leasing no more than it lets go (no deferral per chat)', async () => {
    await setUp();
    const { store: counted, calls } = countingStore(store);
    const writes = calls.direct;
    // Two messages a second for the whole bot; ten chats waiting.
    const limiter = new TelegramRateLimiter({ globalPerSecond: 2, privatePerSecond: 1, groupPerMinute: 20 });
    const sender = Object.assign(new Recorder('telegram', clock, limiter), {
      capacity: (now: number) => limiter.capacity(now),
    });
    const chats = Array.from({ length: 10 }, (_, i) => `c${i}`);
    for (const chat of chats) await store.enqueue([item(chat, { kind: 'send', message: { text: chat } })], clock.now());
    const d = new Dispatcher({ store: counted, clock, senders: [sender], log: silentLogger(), workerId: 'g' });
    for (let i = 0; i < 10; i++) {
      await d.drain();
      clock.advance(1000);
    }
    // In the order they were queued, two a second, and none of them put back to wait.
    expect(sender.calls.map((c) => c.chatId)).toEqual(chats);
    expect(sender.calls.map((c) => c.at - (sender.calls[0]?.at ?? 0))).toEqual(
      chats.map((_, i) => Math.floor(i / 2) * 1000),
    );
    expect(writes.filter((w) => w === 'markOutboxRetry')).toEqual([]);
  });

  it('wakes when each deferred message is due, not a poll period later (fake clock)', async () => {
    await setUp();
    // The limiter defers chat a by 10 ms and chat b by 300 ms; the poll period is a minute.
    const t0 = clock.now().getTime();
    const readyAt: Record<string, number> = { a: t0 + 10, b: t0 + 300 };
    const sender = new Recorder('telegram', clock, undefined, (chatId, now) =>
      Math.max(0, (readyAt[chatId] ?? 0) - now),
    );
    await store.enqueue(
      [item('a', { kind: 'send', message: { text: 'to a' } }), item('b', { kind: 'send', message: { text: 'to b' } })],
      clock.now(),
    );
    const d = dispatcher(sender, 60_000);
    d.start();
    const until = async (check: () => Promise<boolean> | boolean, what: string) => {
      for (let i = 0; i < 400; i++) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`not within 2 s (a poll period is 60 s): ${what}`);
    };
    const deferred = async () =>
      (await store.listOutbox({ status: 'pending' })).filter((i) => i.notBefore.getTime() > t0).length === 2;
    await until(deferred, 'both deferred');
    expect(sender.calls).toHaveLength(0);

    clock.advance(10);
    await until(() => sender.calls.length === 1, 'chat a delivered when due');
    expect(sender.calls[0]?.chatId).toBe('a');
    // b's moment is still known after a's has passed.
    clock.advance(290);
    await until(() => sender.calls.length === 2, 'chat b delivered when due');
    expect(sender.calls[1]).toMatchObject({ chatId: 'b', at: t0 + 300 });
  });
});
