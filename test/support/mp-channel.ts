/**
 * The test Service Account and the real Service Account channel wired to it over the local fake of
 * WeChat's platform (fake-wechat-mp.ts). The channel's own tests and the estate (mp-estate.ts) both start
 * them here, so that they talk to the same account with the channel set up the same way.
 */
import { createWechatMpChannel, type WechatMpChannel } from '../../src/adapters/channels/wechat-mp/wechat-mp.js';
import type { App } from '../../src/app/app.js';
import type { Clock } from '../../src/core/ports.js';
import { FakeWechatMp } from './fake-wechat-mp.js';

/** The account's AppID, secret, callback token and EncodingAESKey (safe mode), as the fake and the channel know them. */
export const MP_ACCOUNT = {
  appId: 'wx5823bf96d3bd56c7',
  appSecret: '0123456789abcdef0123456789abcdef',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
} as const;

/** Starts the fake platform for the test account on the test's clock; stop `fake` at the end. */
export async function startFakeMp(clock: Clock, templates: string[] = []) {
  const fake = new FakeWechatMp({ ...MP_ACCOUNT, now: () => clock.now(), templates });
  return { fake, apiRoot: await fake.start() };
}

/**
 * The real channel for the test account over the fake at `apiRoot`, handing callbacks to `app` (its store,
 * clock, log and texts), listening on a free local port; stop it at the end.
 */
export async function startMpChannel(o: {
  app: App;
  apiRoot: string;
  dataDir: string;
  templatesFile?: string;
}): Promise<WechatMpChannel> {
  const { app } = o;
  const { store, clock, log, i18n } = app.ctx;
  const channel = await createWechatMpChannel({
    config: {
      ...MP_ACCOUNT,
      apiRoot: o.apiRoot,
      path: '/wechat-mp',
      port: 0,
      menuFile: 'flows/wechat-mp/menu.yaml',
      ...(o.templatesFile ? { templatesFile: o.templatesFile } : {}),
    },
    store,
    dataDir: o.dataDir,
    log,
    handle: (inbound) => app.handleInbound(inbound),
    wake: () => {},
    now: () => clock.now(),
    texts: i18n,
    defaultLocale: 'zh-CN',
    onUnfollowed: (openId) => app.markUnreachable('wechat_mp', openId),
    host: '127.0.0.1',
    recordRetryMs: 1,
  });
  await channel.start(0);
  return channel;
}
