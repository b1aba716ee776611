/**
 * The dispatcher under faults, with a fake clock and senders the test controls: chats delivered side by
 * side keep their own order, a call that hangs holds only its own chat, a call with no answer is not sent
 * twice, a bot-wide 429 pauses every chat, and a crashed worker's chats are resumed after its short lease
 * without asking a question out of turn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { type ChannelSender, type Delivery, Dispatcher, type DispatcherOptions } from '../../src/app/dispatcher.js';
import type { Store } from '../../src/core/ports.js';
import type { OutboundAction } from '../../src/core/types.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { countingStore } from '../support/counting-store.js';

interface Call {
  chatId: string;
  text: string;
  answer: (d: Delivery) => void;
}

/** A Telegram sender whose every call waits until the test (or `auto`) answers it. */
class ControlledSender implements ChannelSender {
  readonly channel = 'telegram' as const;
  readonly calls: Call[] = [];
  private open = 0;
  maxOpen = 0;
  /** Answers a call at once (after a turn of the event loop) unless it returns undefined. */
  auto: (chatId: string, text: string) => Delivery | undefined = () => ({ status: 'sent', platformMessageId: 'x' });

  deliver(chatId: string, action: OutboundAction): Promise<Delivery> {
    const text = action.message.text;
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    return new Promise((resolve) => {
      const answer = (d: Delivery) => {
        this.open -= 1;
        resolve(d);
      };
      this.calls.push({ chatId, text, answer });
      const now = this.auto(chatId, text);
      if (now) setImmediate(() => answer(now));
    });
  }

  texts(chatId: string): string[] {
    return this.calls.filter((c) => c.chatId === chatId).map((c) => c.text);
  }
}

let store: Store;
let clock: FakeClock;
const dispatchers: Dispatcher[] = [];
let seq = 0;

async function setUp(sender: ChannelSender, o: Partial<DispatcherOptions> = {}) {
  clock = new FakeClock('2026-11-28T02:00:00Z');
  store = await openSqliteStore({ path: ':memory:' });
  return make(sender, o);
}

function make(sender: ChannelSender, o: Partial<DispatcherOptions> = {}): Dispatcher {
  const dispatcher = new Dispatcher({
    store,
    clock,
    senders: [sender],
    log: silentLogger(),
    workerId: `w${dispatchers.length}`,
    random: () => 0.5,
    pollMs: 5,
    ...o,
  });
  dispatchers.push(dispatcher);
  return dispatcher;
}

async function enqueue(chatId: string, ...texts: string[]) {
  for (const text of texts) {
    seq += 1;
    await store.enqueue(
      [{ id: `item-${seq}`, channel: 'telegram', chatId, action: { kind: 'send', message: { text } } }],
      clock.now(),
    );
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`never happened: ${what}`);
}

async function statuses(chatId: string) {
  return (await store.listOutbox({ chatId })).map((i) => i.status);
}

afterEach(async () => {
  for (const d of dispatchers.splice(0)) await d.stop();
  await store?.close();
});

describe('Dispatcher isolation', () => {
  it('delivers to several chats at once and keeps each chat in order', async () => {
    const sender = new ControlledSender();
    // Answers in a scrambled order: a later call may be answered first.
    sender.auto = () => undefined;
    const dispatcher = await setUp(sender, { concurrency: 4 });
    const chats = ['1', '2', '3', '4', '5', '6'];
    for (const chat of chats) await enqueue(chat, `${chat}-a`, `${chat}-b`, `${chat}-c`);
    dispatcher.start();
    let answered = 0;
    while (answered < chats.length * 3) {
      await until(() => sender.calls.length > answered, 'a call');
      const open = sender.calls.slice(answered);
      // The newest open call is answered first.
      for (const call of open.reverse()) call.answer({ status: 'sent', platformMessageId: `${call.text}` });
      answered += open.length;
    }
    await until(async () => (await store.listOutbox({ status: 'sent' })).length === chats.length * 3, 'all sent');
    for (const chat of chats) expect(sender.texts(chat)).toEqual([`${chat}-a`, `${chat}-b`, `${chat}-c`]);
    expect(sender.maxOpen).toBeGreaterThan(1);
    expect(sender.maxOpen).toBeLessThanOrEqual(4);
  });

  it('lets other chats go on while one call hangs, then finishes that chat in order', async () => {
    const sender = new ControlledSender();
    sender.auto = (chatId) => (chatId === 'slow' ? undefined : { status: 'sent', platformMessageId: 'x' });
    const dispatcher = await setUp(sender);
    await enqueue('slow', 'slow-1', 'slow-2');
    await enqueue('fast', 'fast-1', 'fast-2', 'fast-3');
    dispatcher.start();

    await until(async () => (await statuses('fast')).every((s) => s === 'sent'), 'the other chat delivered');
    expect(sender.texts('fast')).toEqual(['fast-1', 'fast-2', 'fast-3']);
    // The hanging chat is still at its first message, and its second has not overtaken it.
    expect(sender.texts('slow')).toEqual(['slow-1']);
    expect(await statuses('slow')).toEqual(['sending', 'pending']);

    sender.calls.find((c) => c.text === 'slow-1')?.answer({ status: 'sent', platformMessageId: 's1' });
    await until(() => sender.texts('slow').length === 2, 'the hanging chat goes on');
    sender.calls.find((c) => c.text === 'slow-2')?.answer({ status: 'sent', platformMessageId: 's2' });
    await until(async () => (await statuses('slow')).every((s) => s === 'sent'), 'the hanging chat delivered');
    expect(sender.texts('slow')).toEqual(['slow-1', 'slow-2']);
  });

  it('does not send a message twice when its call got no answer, and goes on with the chat', async () => {
    const sender = new ControlledSender();
    sender.auto = (_chatId, text) => (text === 'hangs' ? undefined : { status: 'sent', platformMessageId: 'x' });
    const dispatcher = await setUp(sender, { sendTimeoutMs: 20 });
    await enqueue('a', 'hangs', 'after');
    await enqueue('b', 'unanswered');
    sender.auto = (_chatId, text) => {
      if (text === 'hangs') return undefined;
      if (text === 'unanswered') return { status: 'unknown', reason: 'TimeoutError: no answer' };
      return { status: 'sent', platformMessageId: 'x' };
    };
    dispatcher.start();

    await until(async () => (await statuses('a')).every((s) => s === 'sent'), 'chat a settled');
    await until(async () => (await statuses('b')).every((s) => s === 'sent'), 'chat b settled');
    expect(sender.texts('a')).toEqual(['hangs', 'after']);
    expect(sender.texts('b')).toEqual(['unanswered']);
    const [hung] = await store.listOutbox({ chatId: 'a' });
    expect(hung?.lastError).toMatch(/outcome unknown/);
    const [unknown] = await store.listOutbox({ chatId: 'b' });
    expect(unknown?.lastError).toMatch(/outcome unknown/);
  });

  it('tries an edit again when its outcome is unknown (an edit shows the same however often it is made)', async () => {
    let tries = 0;
    const sender: ChannelSender = {
      channel: 'telegram',
      async deliver() {
        tries += 1;
        return tries === 1 ? { status: 'unknown', reason: 'TimeoutError' } : { status: 'sent', platformMessageId: '7' };
      },
    };
    const dispatcher = await setUp(sender);
    await store.setMessageRef('telegram', 'a', 'prompt:1', '7');
    await store.enqueue(
      [
        {
          id: 'edit',
          channel: 'telegram',
          chatId: 'a',
          action: { kind: 'edit', ref: 'prompt:1', message: { text: 'x' } },
        },
      ],
      clock.now(),
    );
    await dispatcher.runOnce();
    const [item] = await store.listOutbox({ chatId: 'a' });
    expect(item?.status).toBe('pending');
    clock.set(item?.notBefore ?? clock.now());
    await dispatcher.drain();
    expect(tries).toBe(2);
    expect(await statuses('a')).toEqual(['sent']);
  });

  it('pauses every chat when the bot as a whole is told to wait, and then delivers all in order', async () => {
    let storm = true;
    const sender = new ControlledSender();
    sender.auto = () =>
      storm
        ? { status: 'rate_limited', retryAfterMs: 5000, reason: '429: Too Many Requests: retry after 5' }
        : { status: 'sent', platformMessageId: 'x' };
    const dispatcher = await setUp(sender, { concurrency: 1 });
    const chats = ['1', '2', '3', '4', '5', '6'];
    for (const chat of chats) await enqueue(chat, `${chat}-a`, `${chat}-b`);

    await dispatcher.drain();
    // Two chats told to wait at once: the limit is the bot's; no other chat was tried.
    expect(sender.calls).toHaveLength(2);
    clock.advance(4999);
    await dispatcher.drain();
    expect(sender.calls).toHaveLength(2);

    storm = false;
    clock.advance(1);
    for (let i = 0; i < 20; i++) {
      await dispatcher.drain();
      clock.advance(1000);
    }
    for (const chat of chats) expect(sender.texts(chat).filter((t) => t.endsWith('-b'))).toEqual([`${chat}-b`]);
    expect(sender.texts('1')).toEqual(['1-a', '1-a', '1-b']);
    expect(sender.texts('3')).toEqual(['3-a', '3-b']);
    expect((await store.listOutbox({ status: 'sent' })).map((i) => i.attempts)).toEqual(new Array(12).fill(0));
  });

  it('holds one chat only when a single chat is told to wait', async () => {
    const sender = new ControlledSender();
    sender.auto = (chatId, text) =>
      chatId === '1' && text === '1-a' && sender.texts('1').length === 1
        ? { status: 'rate_limited', retryAfterMs: 5000, reason: '429' }
        : { status: 'sent', platformMessageId: 'x' };
    const dispatcher = await setUp(sender, { concurrency: 1 });
    await enqueue('1', '1-a', '1-b');
    await enqueue('2', '2-a', '2-b');
    await dispatcher.drain();
    expect(sender.texts('2')).toEqual(['2-a', '2-b']);
    expect(sender.texts('1')).toEqual(['1-a']);
  });
  it('delivers an item claimed again while the task that deferred it is still finishing (no 4 s stall)', async () => {
    // The limiter asks the chat's next message to wait a few milliseconds; the loop's next claim can
    // bring the item back before that attempt's task has finished. It must go then, not sit leased to
    // nobody until the lease runs out.
    const sender = new (class extends ControlledSender {
      waited = false;
      reserve(): number {
        if (this.waited) return 0;
        this.waited = true;
        return 5;
      }
    })();
    clock = new FakeClock('2026-11-28T02:00:00Z');
    const real = await openSqliteStore({ path: ':memory:' });
    let claim: Promise<number> | undefined;
    // The interleaving: the deferral is written, time passes, and a round claims before the task ends.
    store = new Proxy(real, {
      get(target, name, receiver) {
        if (name !== 'markOutboxRetry') return Reflect.get(target, name, receiver);
        return async (...args: Parameters<Store['markOutboxRetry']>) => {
          await target.markOutboxRetry(...args);
          clock.advance(5);
          claim ??= dispatcher.runOnce();
          await until(async () => (await target.listOutbox({ status: 'sending' })).length === 1, 'claimed again');
        };
      },
    });
    const dispatcher = make(sender, { leaseMs: 4000 });
    await enqueue('a', 'your phone?');
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await claim).toBe(1);
    expect(sender.texts('a')).toEqual(['your phone?']);
    expect(await real.listOutbox({ chatId: 'a' })).toMatchObject([{ status: 'sent' }]);
  });
  /** A fresh clock and store whose claims are counted; returns how many claims it has been asked for so far. */
  async function countingClaims(): Promise<() => number> {
    clock = new FakeClock('2026-11-28T02:00:00Z');
    const counted = countingStore(await openSqliteStore({ path: ':memory:' }));
    store = counted.store;
    return () => counted.calls.direct.filter((c) => c === 'claimOutbox').length;
  }

  it('does not ask the store again at once when a claim found fewer items than it asked for', async () => {
    // Each claim is a write transaction: one item enqueued costs the claim that finds it and the one after
    // its delivery (the chat's next item may be due then), not a third, empty one in between.
    const claims = await countingClaims();
    const sender = new ControlledSender();
    const dispatcher = make(sender, { pollMs: 60_000 });
    await enqueue('a', 'your phone?');
    dispatcher.start();
    await until(async () => (await statuses('a'))[0] === 'sent', 'sent');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sender.texts('a')).toEqual(['your phone?']);
    expect(claims()).toBe(2);
  });

  it('claims again at once when a claim was given as many items as it asked for: a backlog goes out unwaited', async () => {
    // A claim takes at most `batch` items. No call is answered here (no delivery ends to wake the loop)
    // and the poll period is a minute: every chat's message is under way only if the loop asks again
    // straight after a full claim.
    const claims = await countingClaims();
    const sender = new ControlledSender();
    sender.auto = () => undefined;
    const dispatcher = make(sender, { batch: 2, concurrency: 16, pollMs: 60_000 });
    const chats = ['1', '2', '3', '4', '5', '6', '7'];
    for (const chat of chats) await enqueue(chat, `${chat}-a`);
    dispatcher.start();
    try {
      await until(() => sender.calls.length === chats.length, "every chat's message under way");
      // Three full claims of two, then the one that found the last item alone (the loop sleeps after it).
      expect(claims()).toBe(4);
    } finally {
      sender.auto = () => ({ status: 'sent', platformMessageId: 'x' });
      for (const call of sender.calls) call.answer({ status: 'sent', platformMessageId: call.text });
    }
    await until(async () => (await store.listOutbox({ status: 'sent' })).length === chats.length, 'all sent');
  });
});

describe('Dispatcher crash recovery', () => {
  it('renews the lease of a long call, and another worker resumes the chat soon after a crash', async () => {
    const sender = new ControlledSender();
    sender.auto = () => undefined;
    const crashed = await setUp(sender, { leaseMs: 4000 });
    await enqueue('a', 'question 1');
    const round = crashed.runOnce();
    await until(() => sender.calls.length === 1, 'the call started');

    // Alive and renewing: nobody takes the chat over.
    const other = new ControlledSender();
    const survivor = make(other, { leaseMs: 4000 });
    clock.advance(3000);
    await crashed.renewLeases();
    clock.advance(3000);
    expect(await survivor.runOnce()).toBe(0);

    // The worker dies (no more renewals): 4 s after its last renewal the other takes over and sends
    // the question again, since nothing came after it (in turn, at worst twice).
    clock.advance(1001);
    expect(await survivor.runOnce()).toBe(1);
    expect(other.texts('a')).toEqual(['question 1']);
    expect(await statuses('a')).toEqual(['sent']);
    sender.calls[0]?.answer({ status: 'sent', platformMessageId: 'late' });
    await round;
  });

  it('never asks a question again out of turn after a crash', async () => {
    const sender = new ControlledSender();
    sender.auto = () => undefined;
    const crashed = await setUp(sender, { leaseMs: 4000 });
    await enqueue('a', 'your name?');
    void crashed.runOnce();
    await until(() => sender.calls.length === 1, 'the call started');

    // The owner got it and answered while the worker was down: the next question is queued.
    clock.advance(2000);
    await enqueue('a', 'your phone?');
    clock.advance(2001);
    const restarted = new ControlledSender();
    const after = make(restarted, { leaseMs: 4000 });
    await after.drain();
    expect(restarted.texts('a')).toEqual(['your phone?']);
    const [name, phone] = await store.listOutbox({ chatId: 'a' });
    expect(name).toMatchObject({ status: 'sent', lastError: expect.stringMatching(/moved on/) });
    expect(phone?.status).toBe('sent');
    sender.calls[0]?.answer({ status: 'sent', platformMessageId: 'late' });
  });

  it('sends an interrupted question again when only an edit (the closing edit of the last one) was queued after it', async () => {
    const sender = new ControlledSender();
    sender.auto = () => undefined;
    const crashed = await setUp(sender, { leaseMs: 4000 });
    // The owner answered: the next question, then (a moment later, in the same transaction) the cosmetic
    // edit that takes the buttons off the question they answered.
    await enqueue('a', 'your phone?');
    clock.advance(1);
    await store.enqueue(
      [
        {
          id: 'closing-edit',
          channel: 'telegram',
          chatId: 'a',
          action: { kind: 'edit', ref: 'prompt:1', message: { text: 'your name?' } },
          cosmetic: true,
        },
      ],
      clock.now(),
    );
    void crashed.runOnce();
    await until(() => sender.calls.length === 1, 'the call started');
    clock.advance(4001);
    const restarted = new ControlledSender();
    const after = make(restarted, { leaseMs: 4000 });
    await after.drain();
    // The conversation did not move on: the question goes again rather than being lost.
    expect(restarted.texts('a')).toEqual(['your phone?']);
    sender.calls[0]?.answer({ status: 'sent', platformMessageId: 'late' });
  });

  it('writes the ref with "sent", so an edit that follows at once reaches the message', async () => {
    const edits: string[] = [];
    const sender: ChannelSender = {
      channel: 'telegram',
      async deliver(_chatId, action, target) {
        if (action.kind === 'edit') edits.push(String(target));
        return { status: 'sent', platformMessageId: action.kind === 'edit' ? String(target) : '42' };
      },
    };
    const dispatcher = await setUp(sender);
    await store.enqueue(
      [
        {
          id: 'card',
          channel: 'telegram',
          chatId: 'staff',
          action: { kind: 'send', message: { text: 'card', ref: 'card:T1' } },
        },
        {
          id: 'card-edit',
          channel: 'telegram',
          chatId: 'staff',
          action: { kind: 'edit', ref: 'card:T1', message: { text: 'card, accepted' } },
        },
      ],
      clock.now(),
    );
    await dispatcher.drain();
    expect(edits).toEqual(['42']);
    expect(await store.getMessageRef('telegram', 'staff', 'card:T1')).toBe('42');
  });
});
