/**
 * The real WeCom channel (`@wecom/aibot-node-sdk`) connected to the local fake (fake-wecom.ts) and an App.
 * WeCom's pushes arrive on the SDK's socket, outside the test's own calls, so every wake the channel gives
 * is chained into a dispatcher drain; `settled()` and `waitFor` let a test wait for those before it looks.
 */
import { createWecomChannel, type WecomChannel } from '../../src/adapters/channels/wecom/wecom.js';
import type { App } from '../../src/app/app.js';
import type { Dispatcher } from '../../src/app/dispatcher.js';
import type { FakeWecom } from './fake-wecom.js';

export interface WecomOnFake {
  channel: WecomChannel;
  /** Resolves once every drain the channel's wakes asked for so far is done. */
  settled(): Promise<void>;
  /** Polls `probe` (after the pending drains) until it is truthy; fails naming `what` after the timeout. */
  waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string): Promise<T>;
}

export async function connectWecom(o: {
  fake: FakeWecom;
  bot: { botId: string; secret: string };
  staffChatId: string;
  /** WECOM_STAFF_NAMES: WeCom gives the bot only userids. */
  staffNames: Map<string, string>;
  app: App;
  /** The dispatcher the wakes drain (built after the channel, which is one of its senders). */
  dispatcher: () => Dispatcher;
  /** Whether `waitFor` also drains on each poll (deliveries no WeCom push woke); default true. */
  drainEachPoll?: boolean;
  timeoutMs?: number;
}): Promise<WecomOnFake> {
  const { store, clock, log } = o.app.ctx;
  let draining: Promise<void> = Promise.resolve();
  const channel = await createWecomChannel({
    config: { ...o.bot, staffChatId: o.staffChatId, wsUrl: o.fake.url, staffNames: o.staffNames },
    store,
    log,
    handle: (inbound) => o.app.handleInbound(inbound),
    wake: () => {
      draining = draining.then(() => o.dispatcher().drain());
    },
    now: () => clock.now(),
  });
  const settled = () => draining;
  return {
    channel,
    settled,
    async waitFor(probe, what) {
      const until = Date.now() + (o.timeoutMs ?? 5000);
      for (;;) {
        await draining;
        if (o.drainEachPoll ?? true) await o.dispatcher().drain();
        const value = await probe();
        if (value) return value;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
