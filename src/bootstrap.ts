/**
 * How every entry point starts, one way: the bot (`src/main.ts`) and the command-line tools read the
 * configuration, load the content, open the configured store (SQLite under DATA_DIR, or MongoDB when
 * MONGODB_URI is set) and build the App with the settings, policy and staff rooms the configuration sets.
 * So `npm run survey` works on the store the bot works on and queues for the rooms the bot delivers to.
 * Every failure is a StartupError (a title and one line per problem) for the entry point to print.
 */
import { join } from 'node:path';
import { createAssistant } from './adapters/ai/create.js';
import { CONSOLE_STAFF_ROOM, CONSOLE_STAFF_USER } from './adapters/channels/console/console.js';
import { redactUri } from './adapters/store/mongo/connection.js';
import { openSqliteStore } from './adapters/store/sqlite/store.js';
import { App } from './app/app.js';
import { type AppSettings, type DeskPolicy, deskPolicy } from './app/context.js';
import { surveyPace } from './app/surveys/support.js';
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.js';
import {
  type Content,
  type ContentPaths,
  contentPaths,
  loadContent,
  loadContentWithSnapshot,
  type SnapshotOptions,
} from './content.js';
import type { ChartRenderer } from './core/ports/charts.js';
import { type Clock, type Store, StoreError } from './core/ports.js';
import type { Address } from './core/types.js';
import type { Logger } from './logger.js';
import { StartupError } from './startup-error.js';

/** The environment: `process.env` after reading `./.env` (variables already set win). */
export function processEnv(): Record<string, string | undefined> {
  loadDotEnv(join(process.cwd(), '.env'));
  return process.env;
}

/** Validates the environment; throws StartupError with one line per mistaken variable. */
export function readConfig(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new StartupError('the configuration is not valid', error.problems);
    throw error;
  }
}

/** Which store a configuration names. */
export type StoreChoice =
  | { kind: 'sqlite'; path: string }
  | { kind: 'mongodb'; uri: string; serverSelectionTimeoutMs: number };

/** MongoDB when MONGODB_URI is set, else the SQLite file `residesk.db` under DATA_DIR. */
export function storeChoice(config: Pick<Config, 'dataDir' | 'mongo'>): StoreChoice {
  if (config.mongo) {
    return { kind: 'mongodb', uri: config.mongo.uri, serverSelectionTimeoutMs: config.mongo.serverSelectionTimeoutMs };
  }
  return { kind: 'sqlite', path: join(config.dataDir, 'residesk.db') };
}

/** The store as log fields, without the password. */
export function describeStore(
  choice: StoreChoice,
): { store: 'sqlite'; path: string } | { store: 'mongodb'; uri: string } {
  return choice.kind === 'mongodb'
    ? { store: 'mongodb', uri: redactUri(choice.uri) }
    : { store: 'sqlite', path: choice.path };
}

/** Opens the chosen store; throws StartupError naming what to fix when it cannot be used. */
export async function openStore(choice: StoreChoice): Promise<Store> {
  if (choice.kind === 'mongodb') {
    // mongoose loads only when MongoDB is configured.
    const { openMongoStore } = await import('./adapters/store/mongo/store.js');
    try {
      return await openMongoStore({ uri: choice.uri, serverSelectionTimeoutMs: choice.serverSelectionTimeoutMs });
    } catch (error) {
      if (error instanceof StoreError) throw new StartupError('MongoDB cannot be used', [error.message]);
      throw error;
    }
  }
  try {
    return await openSqliteStore({ path: choice.path });
  } catch (error) {
    // DATA_DIR is a file, not writable, or holds something that is not residesk's database.
    if (error instanceof StoreError) {
      const cause = error.cause instanceof Error ? error.cause.message : error.message;
      throw new StartupError('the SQLite store cannot be opened', [
        `DATA_DIR: cannot open ${choice.path} (${cause}); accepted: a directory residesk can create and write to`,
      ]);
    }
    throw error;
  }
}

/** What every text and date needs from the configuration. */
export function appSettings(config: Config): AppSettings {
  return {
    defaultLocale: config.defaultLocale,
    timeZone: config.timeZone,
    estateName: config.estateName,
    dutyPhone: config.dutyPhone,
  };
}

/**
 * The staff rooms that receive cards and staff messages: the Telegram group and the WeChat room when
 * configured, and the console's when the bot runs in the console. What the App queues for them goes
 * through the outbox, so a command-line tool reaches them through the running bot.
 */
export function staffRooms(config: Config, opts: { console: boolean }): Address[] {
  const rooms: Address[] = [];
  if (opts.console) rooms.push(CONSOLE_STAFF_ROOM);
  if (config.telegram) rooms.push({ channel: 'telegram', chatId: String(config.telegram.staffChatId) });
  if (config.wechat) rooms.push({ channel: 'wechat', chatId: config.wechat.staffRoom });
  if (config.wecom) rooms.push({ channel: 'wecom', chatId: config.wecom.staffChatId });
  return rooms;
}

/** Whether the bot runs in the console: no messaging platform is configured. */
export function isConsoleMode(config: Config): boolean {
  return !config.telegram && !config.wechat && !config.wechatMp && !config.wecom;
}

/**
 * In the console the person at the terminal is the whole service centre: as staff they are a supervisor
 * (publish a notice, run a survey, save an answer as knowledge), so `npm start` shows every capability
 * without a SUPERVISORS entry for an identity that only exists on this machine.
 */
function consolePolicy(policy: DeskPolicy, consoleStaffRoom: boolean): DeskPolicy {
  if (!consoleStaffRoom) return policy;
  const self = { channel: 'console' as const, userId: CONSOLE_STAFF_USER };
  const named = [...policy.supervisors, ...policy.managers].some(
    (r) => r.userId === self.userId && (!r.channel || r.channel === 'console'),
  );
  return named ? policy : { ...policy, supervisors: [...policy.supervisors, self] };
}

export interface BootstrapOptions {
  config: Config;
  log: Logger;
  clock: Clock;
  /** Where flows/ and locales/ are (default: the repository root). */
  root?: string;
  /** Whether the console's staff room receives staff messages (the bot in console mode). */
  consoleStaffRoom: boolean;
  /** Load the content through this snapshot (the built bot); without it the files are always loaded. */
  contentSnapshot?: SnapshotOptions;
  /** Draws the review report's charts (/summary, the monthly sending). */
  charts?: ChartRenderer;
}

export interface Bootstrapped {
  content: Content;
  store: Store;
  storeChoice: StoreChoice;
  staffRooms: Address[];
  app: App;
}

/** The content through its snapshot, saying whether the files were loaded (after an edit) or not. */
function loadContentLogged(paths: ContentPaths, snapshot: SnapshotOptions, log: Logger): Content {
  const loaded = loadContentWithSnapshot(paths, snapshot);
  const use = loaded.snapshot;
  if (use.kind === 'read') log.debug({ snapshot: snapshot.file }, 'content read from its snapshot (no file changed)');
  else if (use.kind === 'written')
    log.info({ snapshot: snapshot.file }, 'content loaded from the files; snapshot written');
  else
    log.info(
      { reason: use.reason },
      'content loaded from the files; its snapshot cannot be written, so each start loads them',
    );
  return loaded.content;
}

/**
 * Loads the content, opens the configured store and builds the App. Content is checked before the store
 * is opened, so a broken file never touches the database. Throws StartupError; the caller closes the store.
 */
export async function bootstrap(o: BootstrapOptions): Promise<Bootstrapped> {
  const paths = o.root === undefined ? contentPaths() : contentPaths(o.root);
  const content = o.contentSnapshot ? loadContentLogged(paths, o.contentSnapshot, o.log) : loadContent(paths);
  const assistant = await createAssistant(o.config.ai, o.log, o.clock, {
    keywords: content.keywords,
    emergencyRules: content.emergencyRules,
    model: content.model,
  });
  const choice = storeChoice(o.config);
  const store = await openStore(choice);
  const rooms = staffRooms(o.config, { console: o.consoleStaffRoom });
  try {
    const app = new App({
      store,
      clock: o.clock,
      registry: content.registry,
      i18n: content.i18n,
      log: o.log,
      settings: appSettings(o.config),
      staffRooms: rooms,
      policy: consolePolicy(deskPolicy(o.config), o.consoleStaffRoom),
      assistant,
      surveys: {
        questionnaires: content.questionnaires,
        ...surveyPace(o.config.broadcastPerSecond, o.config.schedulerTickMs),
      },
      knowledge: content.knowledge,
      reviewAutoSend: o.config.reviewAutoSend,
      ...(o.charts ? { charts: o.charts } : {}),
    });
    return { content, store, storeChoice: choice, staffRooms: rooms, app };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}
