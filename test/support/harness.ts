/**
 * A whole residesk (real engine, flows, locales, SQLite store, app and dispatcher) with a recording
 * channel and a fake clock, for tests that talk to it as an owner would.
 */
import type { Assistant } from '../../src/adapters/ai/assistant.js';
import { loadQuestionnaires } from '../../src/adapters/content/questionnaires-file.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { App, type InboundResult } from '../../src/app/app.js';
import type { AppSettings, DeskPolicy } from '../../src/app/context.js';
import { type ChannelSender, type Delivery, Dispatcher } from '../../src/app/dispatcher.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import { Scheduler } from '../../src/app/scheduler.js';
import type { SurveyOptions } from '../../src/app/surveys/support.js';
import type { FlowRegistry } from '../../src/core/flow/registry.js';
import type { Store, StoredFile } from '../../src/core/ports.js';
import { compileQuestionnaire, mergeResources } from '../../src/core/surveys/questionnaire.js';
import type { Channel, Inbound, InboundContent, Locale, OutboundAction } from '../../src/core/types.js';
import type { I18n } from '../../src/i18n.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { FakeClock } from './clock.js';

export interface Sent {
  chatId: string;
  action: OutboundAction;
}

/** Records what it is asked to deliver; every delivery succeeds. */
export class RecordingSender implements ChannelSender {
  readonly sent: Sent[] = [];
  private n = 0;
  constructor(readonly channel: Channel = 'console') {}
  async deliver(chatId: string, action: OutboundAction): Promise<Delivery> {
    this.sent.push({ chatId, action });
    this.n += 1;
    return { status: 'sent', platformMessageId: `m${this.n}` };
  }
}

/** Records each delivery with the file bytes the dispatcher handed over, to check what an attachment carried. */
export class FileRecorder implements ChannelSender {
  readonly sent: (Sent & { files: StoredFile[] })[] = [];
  constructor(readonly channel: Channel = 'telegram') {}
  deliver: ChannelSender['deliver'] = async (chatId, action, _target, files) => {
    this.sent.push({ chatId, action, files: [...(files?.values() ?? [])] });
    return { status: 'sent', platformMessageId: `p${this.sent.length}` };
  };
}

/** Texts as the bot has them; a key no locale has is an error here (an owner would see the key itself). */
export const i18n = createI18n(readLocales('locales'), {
  onMissingKey: (locale, key) => {
    throw new Error(`missing locale key ${key} (${locale})`);
  },
});
export const registry = loadFlows('flows', (k) => i18n.has(k));

/**
 * The flows and texts with every questionnaire in flows/surveys compiled in, as start-up has them, for
 * tests that run surveys (the plain `registry` has no survey flows).
 */
export function surveyContent() {
  const questionnaires = loadQuestionnaires('flows/surveys');
  const compiled = [...questionnaires.values()].map(compileQuestionnaire);
  const texts = createI18n(mergeResources(readLocales('locales'), ...compiled.map((c) => c.resources)));
  const base = loadFlows('flows', (k) => texts.has(k));
  const flows = new Map([...base.flows, ...compiled.map((c) => [c.flow.id, c.flow] as const)]);
  return { questionnaires, i18n: texts, registry: { ...base, flows } };
}

/** The test estate's settings (阳光花园, Shanghai time, Chinese first), which the tests' expected texts assume. */
export const ESTATE_SETTINGS: AppSettings = {
  defaultLocale: 'zh-CN',
  timeZone: 'Asia/Shanghai',
  estateName: '阳光花园',
  dutyPhone: '0571-88886666',
};

type AppArgs = ConstructorParameters<typeof App>[0];

/**
 * An App for the test estate (the repository's flows and texts, a silent log, a console staff room)
 * with the test's own parts laid over, so that a test names only what it is about.
 */
export function makeApp(
  o: Pick<AppArgs, 'store' | 'clock'> & Partial<Omit<AppArgs, 'settings'>> & { settings?: Partial<AppSettings> },
): App {
  return new App({
    registry,
    i18n,
    log: silentLogger(),
    staffRooms: [{ channel: 'console', chatId: 'staff' }],
    ...o,
    settings: { ...ESTATE_SETTINGS, ...o.settings },
  });
}

export interface HarnessOptions {
  store?: Store;
  path?: string;
  clock?: FakeClock;
  staffChat?: string;
  dutyPhone?: string;
  /** The deployment's default language (the staff's); Chinese when left out. */
  defaultLocale?: Locale;
  /** Service levels, supervisors and managers; the defaults when left out. */
  policy?: DeskPolicy;
  /** The AI assistant (e.g. the offline one); none by default. */
  assistant?: Assistant;
  /** The application's logger; a silent one when left out. */
  log?: Logger;
  /** Flows and texts other than the repository's (e.g. with a compiled questionnaire added). */
  registry?: FlowRegistry;
  i18n?: I18n;
  /** Survey settings (questionnaires, batch sizes); none by default. */
  surveys?: SurveyOptions;
}

export async function makeHarness(opts: HarnessOptions = {}) {
  const store = opts.store ?? (await openSqliteStore({ path: opts.path ?? ':memory:' }));
  const clock = opts.clock ?? new FakeClock();
  const sender = new RecordingSender('console');
  const staffChat = opts.staffChat ?? 'staff';
  const log = opts.log ?? silentLogger();
  const app = new App({
    store,
    clock,
    registry: opts.registry ?? registry,
    i18n: opts.i18n ?? i18n,
    log,
    settings: {
      ...ESTATE_SETTINGS,
      ...(opts.defaultLocale ? { defaultLocale: opts.defaultLocale } : {}),
      ...(opts.dutyPhone !== undefined ? { dutyPhone: opts.dutyPhone } : {}),
    },
    staffRooms: [{ channel: 'console', chatId: staffChat }],
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.assistant ? { assistant: opts.assistant } : {}),
    ...(opts.surveys ? { surveys: opts.surveys } : {}),
  });
  const dispatcher = new Dispatcher({ store, clock, senders: [sender], log, workerId: 'test' });
  let seq = 0;
  const run = Math.random().toString(36).slice(2, 8);

  /** Sends one message as an owner (default chat `owner`) and returns what that chat received. */
  async function send(
    content: InboundContent | string,
    o: {
      chatId?: string;
      userId?: string;
      messageId?: string;
      chatKind?: Inbound['chatKind'];
      languageCode?: string;
      /** The sender's display name (staff are known by it). */
      userName?: string;
      /** The platform id of the message this one replies to (e.g. a ticket's card). */
      replyTo?: string;
    } = {},
  ): Promise<{ result: InboundResult; replies: OutboundAction[]; texts: string[] }> {
    const chatId = o.chatId ?? 'owner';
    const before = sender.sent.length;
    seq += 1;
    const result = await app.handleInbound({
      channel: 'console',
      chatId,
      chatKind: o.chatKind ?? 'private',
      userId: o.userId ?? `u-${chatId}`,
      messageId: o.messageId ?? `msg-${run}-${seq}`,
      receivedAt: clock.now(),
      ...(o.languageCode ? { languageCode: o.languageCode } : {}),
      ...(o.userName ? { userName: o.userName } : {}),
      ...(o.replyTo ? { replyTo: o.replyTo } : {}),
      content: typeof content === 'string' ? { type: 'text', text: content } : content,
    });
    await dispatcher.drain();
    const replies = sender.sent
      .slice(before)
      .filter((s) => s.chatId === chatId)
      .map((s) => s.action);
    return { result, replies, texts: replies.filter((r) => r.kind === 'send').map((r) => r.message.text) };
  }

  /** The buttons of the last message sent to a chat (with their callback data). */
  function lastButtons(chatId = 'owner') {
    for (let i = sender.sent.length - 1; i >= 0; i--) {
      const s = sender.sent[i];
      if (s?.chatId === chatId && s.action.kind === 'send' && s.action.message.buttons)
        return s.action.message.buttons.flat();
    }
    return [];
  }

  function staffMessages() {
    return sender.sent.filter((s) => s.chatId === staffChat);
  }

  /** Runs every job due now (SLA checkpoints, reminders) and delivers what they wrote; returns how many ran. */
  async function tick(): Promise<number> {
    const scheduler = new Scheduler({ store, clock, log, workerId: 'test-scheduler', handlers: app.jobHandlers() });
    let ran = 0;
    for (let n = await scheduler.tick(); n > 0; n = await scheduler.tick()) ran += n;
    await dispatcher.drain();
    return ran;
  }

  return { store, clock, app, dispatcher, sender, send, lastButtons, staffMessages, tick };
}

export type Harness = Awaited<ReturnType<typeof makeHarness>>;
