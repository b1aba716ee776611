/**
 * The Telegram end-to-end harness shared by test/e2e/telegram*.test.ts: the Bot API emulator
 * (telegram-test-api) on a free port, and the bot in webhook mode over plain http, wired as main.ts does
 * (the real flows, locales, in-memory SQLite store, app, dispatcher and Telegram channel). The estate's
 * knowledge, a fake clock and the desk policy (supervisors) are options; jobs are the test's to run
 * (`app.jobHandlers()` on a Scheduler), as on the other e2e harnesses.
 *
 * The emulator posts updates to the webhook without Telegram's secret header, so a small proxy in front
 * of the webhook adds it (with the secret the bot registered through setWebhook), as Telegram would. A
 * recording proxy in front of the emulator's Bot API shows the calls the bot made.
 */

import { createServer } from 'node:http';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { createTelegramChannel, type TelegramChannel } from '../../../src/adapters/channels/telegram/telegram.js';
import { loadKnowledge } from '../../../src/adapters/content/knowledge-file.js';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/store.js';
import { App, type AppOptions } from '../../../src/app/app.js';
import type { DeskPolicy } from '../../../src/app/context.js';
import { Dispatcher } from '../../../src/app/dispatcher.js';
import type { FileSources } from '../../../src/app/files/sources.js';
import { loadFlows } from '../../../src/app/flows-loader.js';
import { markStaffLeft, markStaffRejoined } from '../../../src/app/staff-membership.js';
import { contentPaths } from '../../../src/content.js';
import type { KnowledgeIndex } from '../../../src/core/knowledge/entry.js';
import { createKnowledgeIndex } from '../../../src/core/knowledge/search.js';
import type { Assistant } from '../../../src/core/ports/assistant.js';
import { type Clock, type Store, systemClock } from '../../../src/core/ports.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import { silentLogger } from '../../../src/logger.js';
import {
  freePort,
  type ProxiedRequest,
  type RecordingProxy,
  startRecordingProxy,
} from '../../adapters/channels/telegram/support.js';
import { ESTATE_SETTINGS } from '../../support/harness.js';

/** The path of the webhook (TELEGRAM_WEBHOOK_URL's path). */
export const WEBHOOK_PATH = '/telegram/webhook';

export interface TelegramE2EOptions {
  token: string;
  staffChatId: number;
  /** The estate's name and duty phone; the test estate's (test/support/harness.ts) when left out. */
  estateName?: string;
  dutyPhone?: string;
  /** The dispatcher's worker id; `e2e` when left out (each harness has a store of its own). */
  workerId?: string;
  /** Messages per minute to a group (the staff group); default 60. */
  groupPerMinute?: number;
  /** The AI assistant (e.g. the offline one, as production always has); none when left out. */
  assistant?: Assistant;
  /**
   * The estate's knowledge enquiries are answered from: `true` for the repository's flows/knowledge (as
   * start-up loads it), or an index of the test's own; none when left out (staff answer every enquiry).
   */
  knowledge?: true | KnowledgeIndex;
  /** The app's and the channel's clock (a FakeClock moves jobs along); the system clock when left out. */
  clock?: Clock;
  /** Service levels, supervisors and managers; the configuration's defaults when left out. */
  policy?: DeskPolicy;
  /** Where /summary's charts and /export's workbook come from; none when left out. */
  files?: FileSources;
}

/**
 * A file upload the bot made (sendMediaGroup, sendPhoto, sendDocument as multipart): telegram-test-api
 * answers these with 500, so the recording fake in front of it answers them itself, as Telegram would, and keeps the
 * multipart body.
 */
export interface MediaUpload {
  method: string;
  contentType: string;
  body: Buffer;
}

/** A message the bot sent, as the emulator keeps it (edits applied). */
export interface BotMessage {
  messageId: number;
  text: string;
  buttons: { text: string; callback_data: string }[];
}

export interface TelegramE2E {
  emulator: TelegramServer;
  /** Records the bot's Bot API calls. */
  api: RecordingProxy;
  /** Records the updates posted to the webhook (and the webhook's answers). */
  hook: RecordingProxy;
  /** The bot's file uploads, in order (answered by the fake, not the emulator). */
  media: MediaUpload[];
  store: Store;
  channel: TelegramChannel;
  dispatcher: Dispatcher;
  /** The application, for its job handlers (a test's Scheduler runs them). */
  app: App;
  /** The port the bot's webhook server listens on. */
  webhookPort: number;
  /** What the bot has sent to a chat so far, oldest first. */
  botMessages(chatId: number): BotMessage[];
  /** The bot's calls of one Bot API method. */
  calls(method: string): ProxiedRequest[];
  /** The secret the bot registered with setWebhook. */
  secretRegistered(): string;
  /**
   * Posts an update straight to the bot's webhook, with the secret header, as Telegram would; resolves to
   * the webhook's HTTP status. For updates the emulator cannot send (service messages, `chat_member`).
   */
  postUpdate(update: unknown): Promise<number>;
  /** Stops everything, in order: channel, dispatcher, proxies, emulator, store. */
  stop(): Promise<void>;
}

/** Starts the emulator, the proxies and the bot (webhook mode); resolves once the webhook is registered. */
export async function startTelegramE2E(o: TelegramE2EOptions): Promise<TelegramE2E> {
  // What has started so far, stopped (last first) if a later step fails.
  const started: (() => Promise<unknown>)[] = [];
  const undo = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    return await start(o, started);
  } catch (error) {
    await undo();
    throw error;
  }
}

async function start(o: TelegramE2EOptions, started: (() => Promise<unknown>)[]): Promise<TelegramE2E> {
  const emulator = new TelegramServer({ port: await freePort(), host: '127.0.0.1' });
  await emulator.start();
  started.push(() => emulator.stop());
  const api = await startRecordingProxy(() => emulator.config.apiURL);
  started.push(() => api.close());
  const calls = (method: string) => api.requests.filter((r) => r.path.endsWith(`/${method}`));
  const media = await startMediaFake(api.url);
  started.push(() => media.close());
  const secretRegistered = () => String(calls('setWebhook')[0]?.body.secret_token ?? '');
  const webhookPort = await freePort();
  // Telegram makes the Bot API call a webhook answers with (a button press's answer): so does the proxy.
  const madeByTelegram = (answer: Response, body: Buffer) => webhookCall(api.url, o.token, answer, body);
  const hook = await startRecordingProxy(
    () => `http://127.0.0.1:${webhookPort}`,
    () => ({ 'x-telegram-bot-api-secret-token': secretRegistered() }),
    madeByTelegram,
  );
  started.push(() => hook.close());

  const i18n = createI18n(readLocales('locales'));
  const log = silentLogger();
  const store = await openSqliteStore({ path: ':memory:' });
  started.push(() => store.close());
  const clock = o.clock ?? systemClock;
  const appOptions: AppOptions = {
    store,
    clock,
    registry: loadFlows('flows', (key) => i18n.has(key)),
    i18n,
    log,
    settings: {
      ...ESTATE_SETTINGS,
      estateName: o.estateName ?? ESTATE_SETTINGS.estateName,
      dutyPhone: o.dutyPhone ?? ESTATE_SETTINGS.dutyPhone,
    },
    staffRooms: [{ channel: 'telegram', chatId: String(o.staffChatId) }],
    ...(o.assistant ? { assistant: o.assistant } : {}),
    ...(o.knowledge ? { knowledge: o.knowledge === true ? repositoryKnowledge() : o.knowledge } : {}),
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.files ? { files: o.files } : {}),
  };
  const app = new App(appOptions);
  let dispatcher: Dispatcher | undefined;
  const channel = await createTelegramChannel({
    config: {
      token: o.token,
      staffChatId: o.staffChatId,
      apiRoot: media.url,
      webhookUrl: `${hook.url}${WEBHOOK_PATH}`,
      port: webhookPort,
      rates: { globalPerSecond: 30, privatePerSecond: 20, groupPerMinute: o.groupPerMinute ?? 60 },
    },
    store,
    log,
    handle: (inbound) => app.handleInbound(inbound),
    wake: () => dispatcher?.wake(),
    now: () => clock.now(),
    translate: i18n.translate,
    onStaffLeft: (userId) => markStaffLeft(store, 'telegram', userId),
    onStaffJoined: (userId) => markStaffRejoined(store, 'telegram', userId),
  });
  dispatcher = new Dispatcher({ store, clock, senders: [channel], log, workerId: o.workerId ?? 'e2e', pollMs: 20 });
  dispatcher.start();
  const running = dispatcher;
  started.push(() => running.stop());
  await channel.start();

  return {
    emulator,
    api,
    hook,
    media: media.uploads,
    store,
    channel,
    dispatcher,
    app,
    webhookPort,
    botMessages: (chatId) =>
      emulator.storage.botMessages
        .filter((m) => String(m.message.chat_id) === String(chatId))
        .map((m) => {
          const markup = m.message.reply_markup as
            | { inline_keyboard?: { text: string; callback_data: string }[][] }
            | undefined;
          return {
            messageId: m.messageId,
            text: String(m.message.text ?? ''),
            buttons: markup?.inline_keyboard?.flat() ?? [],
          };
        }),
    calls,
    secretRegistered,
    postUpdate: async (update) => {
      const response = await fetch(`http://127.0.0.1:${webhookPort}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretRegistered() },
        body: JSON.stringify(update),
      });
      await madeByTelegram(response, Buffer.from(await response.arrayBuffer()));
      return response.status;
    },
    stop: async () => {
      await channel.stop();
      await dispatcher?.stop();
      await hook.close();
      await media.close();
      await api.close();
      await emulator.stop();
      await store.close();
    },
  };
}

/**
 * What Telegram does with a webhook's answer: a 200 with a JSON body naming a `method` is a Bot API call
 * it makes for the bot (https://core.telegram.org/bots/api#making-requests-when-getting-updates).
 */
async function webhookCall(apiUrl: string, token: string, answer: Response, body: Buffer): Promise<void> {
  if (answer.status !== 200 || !String(answer.headers.get('content-type')).startsWith('application/json')) return;
  const { method, ...params } = JSON.parse(body.toString('utf8')) as { method?: unknown };
  if (typeof method !== 'string') return;
  const made = await fetch(`${apiUrl}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  await made.arrayBuffer();
}

const UPLOADS = /\/(sendMediaGroup|sendPhoto|sendDocument)$/;

/**
 * Answers the Bot API's upload methods itself (a message id each, as Telegram does) and passes every other
 * request on to `target` unchanged.
 */
async function startMediaFake(target: string) {
  const uploads: MediaUpload[] = [];
  let messageId = 900_000;
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      // Only uploads (multipart): a photo sent by file id goes to the emulator as before.
      const multipart = String(req.headers['content-type'] ?? '').startsWith('multipart/form-data');
      const method = multipart ? UPLOADS.exec(req.url ?? '')?.[1] : undefined;
      if (method) {
        uploads.push({ method, contentType: String(req.headers['content-type'] ?? ''), body });
        // One message per `attach://` part of the album's media.
        const count = body.toString('latin1').split('attach://').length - 1 || 1;
        const message = () => ({
          message_id: ++messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: 0, type: 'private' },
        });
        const result = method === 'sendMediaGroup' ? Array.from({ length: count }, message) : message();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, result }));
        return;
      }
      const forward = () =>
        fetch(`${target}${req.url ?? '/'}`, {
          method: req.method ?? 'POST',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
        });
      let answer: Response;
      try {
        // A kept-alive connection the emulator closed meanwhile fails before the request reached it: sent
        // again once, as a proxy does.
        answer = await forward().catch(forward);
      } catch {
        // The emulator is gone (a test ending while the bot still delivers): a gateway's answer, never an
        // unhandled rejection.
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 502, description: 'Bad Gateway' }));
        return;
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    uploads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The repository's knowledge, read as start-up reads it (src/content.ts). */
function repositoryKnowledge(): KnowledgeIndex {
  const parsed = loadKnowledge(contentPaths().knowledge);
  return createKnowledgeIndex(parsed.entries, parsed.synonyms);
}
