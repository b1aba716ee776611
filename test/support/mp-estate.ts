/**
 * An estate whose owners are on a WeChat Service Account, over the local fake of WeChat's platform
 * (fake-wechat-mp.ts): the real App on SQLite (a file, so that a restart reopens it), the Service Account
 * channel with its callback server, the dispatcher with the reply-window gate, the scheduler, and the
 * fake clock. Staff work in a recording console room unless a test brings its own staff channel (WeCom).
 * `restart()` stops the channel and the dispatcher and builds them again over the same database: nothing
 * the old process kept in memory survives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WechatMpChannel } from '../../src/adapters/channels/wechat-mp/wechat-mp.js';
import { loadQuestionnaires } from '../../src/adapters/content/questionnaires-file.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import type { App } from '../../src/app/app.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { type ChannelSender, Dispatcher } from '../../src/app/dispatcher.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import { ReplyWindowGate } from '../../src/app/reply-window.js';
import { Scheduler } from '../../src/app/scheduler.js';
import type { FlowRegistry } from '../../src/core/flow/registry.js';
import type { Store } from '../../src/core/ports.js';
import { compileQuestionnaire, mergeResources } from '../../src/core/surveys/questionnaire.js';
import type { Address, MessagePurpose } from '../../src/core/types.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from './clock.js';
import { makeApp, RecordingSender } from './harness.js';
import { startFakeMp, startMpChannel } from './mp-channel.js';

export const HOUR = 3_600_000;
export const OWNER = 'oia2TjjewbmiOUlr6X-1crbLOvLw';

const questionnaires = loadQuestionnaires('flows/surveys');
const residential = questionnaires.get('residential');
if (!residential) throw new Error('flows/surveys has no residential questionnaire');
const compiled = compileQuestionnaire(residential);
/** The texts and flows, with the residential survey's questionnaire. */
export const i18n = createI18n(mergeResources(readLocales('locales'), compiled.resources));
const base = loadFlows('flows', (k) => i18n.has(k));
const registry: FlowRegistry = { flows: new Map([...base.flows, [compiled.flow.id, compiled.flow]]), menu: base.menu };

/** What a repair takes when typed after the greeting a follow brings (menu → repair → …). */
export const REPAIR = ['1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];

/** Template ids per kind, as the account has them (我的模板). */
export const TEMPLATE_IDS: Record<MessagePurpose['kind'], string> = {
  ticket_progress: 'TplProgress0123456789',
  revisit_invitation: 'TplRevisit01234567890',
  survey_invitation: 'TplSurvey012345678901',
  notice: 'TplNotice0123456789012',
};

export interface EstateOptions {
  /** The kinds configured in the template file (none: staff are asked to phone). */
  templates?: MessagePurpose['kind'][];
  /** Template ids the file names but the account never added (WeChat answers 40037). */
  notOnAccount?: MessagePurpose['kind'][];
  /**
   * Staff rooms and the channel that serves them, connected to the App once it exists; a recording
   * console room `staff` by default.
   */
  staff?: { rooms: Address[]; connect: (app: App, store: Store) => Promise<ChannelSender> };
  start?: string;
}

/** Builds the estate; call `close()` at the end. */
export async function mpEstate(o: EstateOptions = {}) {
  const clock = new FakeClock(o.start ?? '2026-11-28T02:00:00Z'); // 10:00 in Shanghai
  const dir = mkdtempSync(join(tmpdir(), 'residesk-mp-estate-'));
  const kinds = o.templates ?? [];
  const onAccount = kinds.filter((k) => !o.notOnAccount?.includes(k)).map((k) => TEMPLATE_IDS[k]);
  const { fake, apiRoot } = await startFakeMp(clock, onAccount);
  const templatesFile = join(dir, 'templates.yaml');
  writeFileSync(
    templatesFile,
    kinds.length === 0
      ? 'templates:\n'
      : `templates:\n${kinds
          .map(
            (k) =>
              `  ${k}:\n    template_id: ${TEMPLATE_IDS[k]}\n    fields:\n      character_string1: ref\n      thing2: title\n      thing3: text\n      time4: when\n`,
          )
          .join('')}`,
  );
  const staffSender = new RecordingSender('console');
  const staffRooms: Address[] = o.staff?.rooms ?? [{ channel: 'console', chatId: 'staff' }];
  const log = silentLogger();
  const dbPath = join(dir, 'residesk.db');

  interface Running {
    store: Store;
    app: App;
    channel: WechatMpChannel;
    dispatcher: Dispatcher;
    scheduler: Scheduler;
  }

  async function boot(): Promise<Running> {
    const store = await openSqliteStore({ path: dbPath });
    const app = makeApp({
      store,
      clock,
      registry,
      i18n,
      log,
      staffRooms,
      policy: { ...DEFAULT_POLICY, supervisors: [{ userId: 'u-wang' }, { userId: 'wecom:wangshifu' }] },
      surveys: { questionnaires, batchSize: { wechat_mp: 50 } },
    });
    const channel = await startMpChannel({ app, apiRoot, dataDir: dir, templatesFile });
    const staffChannel = o.staff ? await o.staff.connect(app, store) : staffSender;
    const dispatcher = new Dispatcher({
      store,
      clock,
      senders: [channel, staffChannel],
      log,
      workerId: `test-${Math.random().toString(36).slice(2, 6)}`,
      onUnreachable: (ch, chatId) => app.markUnreachable(ch, chatId),
      replyWindows: new ReplyWindowGate(app.ctx),
    });
    const scheduler = new Scheduler({ store, clock, log, workerId: 'w', leaseMs: 60_000, handlers: app.jobHandlers() });
    return { store, app, channel, dispatcher, scheduler };
  }

  let run = await boot();
  let seq = 0;
  const url = () => `http://127.0.0.1:${run.channel.port}/wechat-mp`;

  const estate = {
    clock,
    fake,
    staffSender,
    get store() {
      return run.store;
    },
    get app() {
      return run.app;
    },
    get channel() {
      return run.channel;
    },
    get dispatcher() {
      return run.dispatcher;
    },
    /** WeChat posts a callback (a second of the owner's time passes first); then it is handled and delivered. */
    async push(xml: string) {
      clock.advance(1000);
      const answer = await fake.push(url(), xml);
      await run.channel.settled();
      await run.dispatcher.drain();
      return answer;
    },
    /** The owner follows the Service Account (by a building's QR code when `scene` is given). */
    follow(scene?: string, openId = OWNER) {
      return estate.push(
        fake.xml(openId, {
          MsgType: 'event',
          Event: 'subscribe',
          ...(scene ? { EventKey: `qrscene_${scene}`, Ticket: 'TICKET' } : {}),
        }),
      );
    },
    /** The owner types a text in the Service Account's chat. */
    say(text: string, openId = OWNER) {
      return estate.push(fake.xml(openId, { MsgType: 'text', Content: text, MsgId: fake.nextMsgId() }));
    },
    /** A staff member types in the console staff room (a supervisor by default). */
    async staffSays(text: string, userId = 'u-wang', userName = '王师傅') {
      seq += 1;
      clock.advance(1000);
      await run.app.handleInbound({
        channel: 'console',
        chatId: 'staff',
        chatKind: 'staff',
        userId,
        userName,
        messageId: `staff-${seq}`,
        receivedAt: clock.now(),
        content: { type: 'text', text },
      });
      await run.dispatcher.drain();
    },
    /** Runs every job due now, then delivers. */
    async tick() {
      for (let i = 0; i < 50; i++) if ((await run.scheduler.tick()) === 0) break;
      await run.dispatcher.drain();
    },
    /** What the staff room was sent (console), as texts. */
    staffTexts(): string[] {
      return staffSender.sent.flatMap((s) => (s.action.kind === 'send' ? [s.action.message.text] : []));
    },
    /** The owner's ticket numbers, oldest first. */
    async ticketNumber(): Promise<string> {
      const [ticket] = await run.store.listTickets({});
      if (!ticket) throw new Error('no ticket');
      return ticket.number;
    },
    /** Stops this "process" and starts another over the same database. */
    async restart() {
      await run.channel.stop();
      await run.store.close();
      run = await boot();
    },
    async close() {
      await run.channel.stop();
      await run.store.close();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return estate;
}

export type MpEstate = Awaited<ReturnType<typeof mpEstate>>;
