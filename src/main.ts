/**
 * The one place that reads configuration and wires the adapters together. Platform libraries are
 * imported only when their channel or store is configured.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createAssistant } from './adapters/ai/create.js';
import { CONSOLE_STAFF_ROOM, ConsoleChannel } from './adapters/channels/console/console.js';
import type { TelegramChannel } from './adapters/channels/telegram/telegram.js';
import type { WechatChannel } from './adapters/channels/wechat/wechat.js';
import { startCron } from './adapters/scheduler/cron.js';
import { redactUri } from './adapters/store/mongo/connection.js';
import { openSqliteStore } from './adapters/store/sqlite/store.js';
import { App } from './app/app.js';
import type { DeskPolicy } from './app/context.js';
import { type ChannelSender, Dispatcher } from './app/dispatcher.js';
import { FlowError, loadFlows } from './app/flows-loader.js';
import { Scheduler } from './app/scheduler.js';
import { markStaffLeft, markStaffRejoined } from './app/staff-membership.js';
import { type Config, ConfigError, configWarnings, loadConfig, loadDotEnv } from './config.js';
import { localeKeysOf } from './core/flow/registry.js';
import { type Store, StoreError, systemClock } from './core/ports.js';
import {
  compileQuestionnaire,
  loadQuestionnaires,
  mergeResources,
  QuestionnaireError,
} from './core/surveys/questionnaire.js';
import type { Address } from './core/types.js';
import { KeywordsError } from './core/understand/keywords.js';
import { createI18n, readLocales } from './i18n.js';
import { createLogger } from './logger.js';
import { runShutdown } from './shutdown.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function fail(title: string, problems: string[]): never {
  process.stderr.write(`residesk cannot start: ${title}\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(2);
}

function readConfig(): Config {
  loadDotEnv(join(process.cwd(), '.env'));
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail('the configuration is not valid', error.problems);
    throw error;
  }
}

function policyOf(config: Config): DeskPolicy {
  return {
    supervisors: config.supervisors,
    managers: config.managers,
    businessHours: config.businessHours,
    quietHours: config.quietHours,
    sla: config.sla,
    revisitAfterMs: config.revisitAfterMs,
    revisitAfterByCategory: config.revisitAfterByCategory,
    revisitRemindAfterMs: config.revisitRemindAfterMs,
    revisitReopenAt: config.revisitReopenAt,
  };
}

async function main(): Promise<void> {
  const config = readConfig();
  const consoleMode = !config.telegram && !config.wechat;
  // In the console the chat owns stdout, so logs go to stderr.
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    ...(consoleMode ? { destination: pino.destination(2) } : {}),
  });
  for (const warning of configWarnings(config)) log.warn(warning);

  let questionnaires: ReturnType<typeof loadQuestionnaires>;
  let compiledSurveys: ReturnType<typeof compileQuestionnaire>[];
  try {
    questionnaires = loadQuestionnaires(join(ROOT, 'flows', 'surveys'));
    compiledSurveys = [...questionnaires.values()].map(compileQuestionnaire);
  } catch (error) {
    if (error instanceof QuestionnaireError) fail('a questionnaire is broken', error.problems);
    throw error;
  }
  const i18n = createI18n(
    mergeResources(readLocales(join(ROOT, 'locales')), ...compiledSurveys.map((c) => c.resources)),
  );
  let registry: ReturnType<typeof loadFlows>;
  try {
    registry = loadFlows(join(ROOT, 'flows'), (key) => i18n.has(key));
    const surveyFlows = new Map(compiledSurveys.map((c) => [c.flow.id, c.flow] as const));
    const missing = localeKeysOf({ flows: surveyFlows, menu: { entries: [] } }).filter(({ key }) => !i18n.has(key));
    if (missing.length > 0)
      fail(
        'a questionnaire names texts that do not exist',
        missing.map((m) => `${m.where}: ${m.key}`),
      );
    registry = { ...registry, flows: new Map([...registry.flows, ...surveyFlows]) };
  } catch (error) {
    if (error instanceof FlowError) fail('a flow file is broken', error.problems);
    throw error;
  }

  let assistant: ReturnType<typeof createAssistant>;
  try {
    assistant = createAssistant(config.ai, log, systemClock, { keywordsPath: join(ROOT, 'flows', 'keywords.yaml') });
  } catch (error) {
    if (error instanceof KeywordsError) fail('flows/keywords.yaml is broken', [error.message]);
    throw error;
  }

  let store: Store;
  if (config.mongo) {
    // mongoose loads only when MongoDB is configured.
    const { openMongoStore } = await import('./adapters/store/mongo/store.js');
    try {
      store = await openMongoStore(config.mongo);
    } catch (error) {
      if (error instanceof StoreError) fail('MongoDB cannot be used', [error.message]);
      throw error;
    }
    log.info({ store: 'mongodb', uri: redactUri(config.mongo.uri), timeZone: config.timeZone }, 'store opened');
  } else {
    const dbPath = join(config.dataDir, 'residesk.db');
    try {
      store = await openSqliteStore({ path: dbPath });
    } catch (error) {
      // DATA_DIR is a file, not writable, or holds something that is not residesk's database.
      if (error instanceof StoreError) {
        const cause = error.cause instanceof Error ? error.cause.message : error.message;
        fail('the SQLite store cannot be opened', [
          `DATA_DIR: cannot open ${dbPath} (${cause}); accepted: a directory residesk can create and write to`,
        ]);
      }
      throw error;
    }
    log.info({ store: 'sqlite', path: dbPath, timeZone: config.timeZone }, 'store opened');
  }

  const staffRooms: Address[] = [];
  const senders: ChannelSender[] = [];
  if (consoleMode) staffRooms.push(CONSOLE_STAFF_ROOM);
  if (config.telegram) staffRooms.push({ channel: 'telegram', chatId: String(config.telegram.staffChatId) });
  if (config.wechat) staffRooms.push({ channel: 'wechat', chatId: config.wechat.staffRoom });

  const clock = systemClock;
  const workerId = `${hostname()}:${process.pid}`;
  const app = new App({
    store,
    clock,
    registry,
    i18n,
    log,
    settings: {
      defaultLocale: config.defaultLocale,
      timeZone: config.timeZone,
      estateName: config.estateName,
      dutyPhone: config.dutyPhone,
    },
    staffRooms,
    policy: policyOf(config),
    assistant,
    surveys: { questionnaires },
  });
  const dispatcher = new Dispatcher({
    store,
    clock,
    senders,
    log,
    workerId,
    onUnreachable: (channel, chatId) => app.markUnreachable(channel, chatId),
  });
  const scheduler = new Scheduler({ store, clock, log, workerId, handlers: app.jobHandlers() });

  let consoleChannel: ConsoleChannel | undefined;
  if (consoleMode) {
    consoleChannel = new ConsoleChannel({
      input: process.stdin,
      output: process.stdout,
      color: Boolean(process.stdout.isTTY),
      handle: (inbound) => app.handleInbound(inbound),
      flush: () => dispatcher.drain(),
      now: () => clock.now(),
      banner: [
        `residesk · ${config.estateName} — console chat (no messaging platform configured)`,
        'Type 你好 or /start to begin. Reply with a number to choose. /as staff and /as owner switch sides; /quit ends.',
        '',
      ].join('\n'),
    });
    senders.push(consoleChannel);
  }

  let telegram: TelegramChannel | undefined;
  if (config.telegram) {
    const tg = await import('./adapters/channels/telegram/telegram.js');
    try {
      telegram = await tg.createTelegramChannel({
        config: config.telegram,
        store,
        log,
        handle: (inbound) => app.handleInbound(inbound),
        wake: () => dispatcher.wake(),
        now: () => clock.now(),
        translate: i18n.translate,
        // The group's members are staff: someone who leaves stops being staff; added back (or writing
        // in the group again) they are staff again.
        onStaffLeft: (userId) => markStaffLeft(store, 'telegram', userId),
        onStaffJoined: (userId) => markStaffRejoined(store, 'telegram', userId),
      });
    } catch (error) {
      if (error instanceof tg.TelegramStartupError) fail('Telegram cannot be used', [error.message]);
      throw error;
    }
    senders.push(telegram);
  }

  let wechat: WechatChannel | undefined;
  if (config.wechat) {
    // wechaty loads only when WeChat is configured (over a second and ~150 MB).
    const wx = await import('./adapters/channels/wechat/wechat.js');
    try {
      wechat = await wx.createWechatChannel({
        config: config.wechat,
        dataDir: config.dataDir,
        log,
        handle: (inbound) => app.handleInbound(inbound),
        wake: () => dispatcher.wake(),
        now: () => clock.now(),
        // The puppet reads its own settings from the environment; keep them out of logs.
        secrets: [process.env.WECHATY_PUPPET_SERVICE_TOKEN ?? '', process.env.WECHATY_TOKEN ?? ''],
        // The room's members are staff: someone who leaves stops being staff, and is staff again when added
        // back (someone never registered becomes staff when they first write in the room).
        onStaffLeft: async (userId) => {
          await markStaffLeft(store, 'wechat', userId);
        },
        onStaffJoined: async (userId) => {
          await markStaffRejoined(store, 'wechat', userId);
        },
      });
    } catch (error) {
      if (error instanceof wx.WechatStartupError) fail('WeChat cannot be used', [error.message]);
      throw error;
    }
    senders.push(wechat);
  }

  const cron = startCron(scheduler, config.schedulerTickMs, log);

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    // Every step runs even when one before it throws or hangs: the store is always closed, and the process exits.
    const failed = await runShutdown(
      [
        ...(telegram ? [{ name: 'telegram', run: () => telegram?.stop() }] : []),
        ...(wechat ? [{ name: 'wechat', run: () => wechat?.stop() }] : []),
        { name: 'cron', run: () => cron.stop() },
        { name: 'dispatcher', run: () => dispatcher.stop() },
        { name: 'store', run: () => store.close() },
      ],
      log,
    );
    process.exit(failed.length > 0 ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (consoleChannel) {
    await consoleChannel.run();
    await shutdown('end of input');
    return;
  }
  dispatcher.start();
  if (telegram) {
    const tg = await import('./adapters/channels/telegram/telegram.js');
    try {
      await telegram.start();
    } catch (error) {
      if (error instanceof tg.TelegramStartupError) fail('Telegram cannot be used', [error.message]);
      throw error;
    }
  }
  if (wechat) {
    const wx = await import('./adapters/channels/wechat/wechat.js');
    try {
      await wechat.start();
    } catch (error) {
      if (error instanceof wx.WechatStartupError) fail('WeChat cannot be used', [error.message]);
      throw error;
    }
  }
  log.info({ channels: senders.map((s) => s.channel) }, 'residesk is running');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `residesk stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
