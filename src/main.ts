/**
 * The one place that reads configuration and wires the adapters together. Platform libraries are
 * imported only when their channel or store is configured.
 */

import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleChannel } from './adapters/channels/console/console.js';
import type { TelegramChannel } from './adapters/channels/telegram/telegram.js';
import type { WechatChannel } from './adapters/channels/wechat/wechat.js';
import type { WechatMpChannel } from './adapters/channels/wechat-mp/wechat-mp.js';
import type { WecomChannel } from './adapters/channels/wecom/wecom.js';
import { createChartRenderer } from './adapters/charts/renderer.js';
import { startCron } from './adapters/scheduler/cron.js';
import { recordAudit } from './app/audit/trail.js';
import { type ChannelSender, Dispatcher } from './app/dispatcher.js';
import { newId } from './app/ids.js';
import { ReplyWindowGate } from './app/reply-window.js';
import { pruneOldRecords } from './app/retention.js';
import { Scheduler } from './app/scheduler.js';
import { markStaffLeft, markStaffRejoined } from './app/staff-membership.js';
import { bootstrap, describeStore, isConsoleMode, processEnv, readConfig } from './bootstrap.js';
import { configWarnings } from './config.js';
import { contentPaths, loadContentWithSnapshot } from './content.js';
import { systemClock } from './core/ports.js';
import { createConsoleModeLogger, createLogger } from './logger.js';
import { runShutdown } from './shutdown.js';
import { EXIT_STATUS, PlatformUnreachable, retryWhileUnreachable, StartupError } from './startup-error.js';

/**
 * The build's id, set by scripts/build.mjs (a hash of src/ and the lock file); undefined when run from src/
 * (tsx), where no snapshot is read: code being edited may load the content differently.
 */
declare const RESIDESK_BUILD_ID: string | undefined;
const buildId = typeof RESIDESK_BUILD_ID === 'string' ? RESIDESK_BUILD_ID : undefined;

/** The content snapshot beside the built bot (dist/content.snapshot), valid for this build only. */
const contentSnapshot = buildId
  ? { file: fileURLToPath(new URL('./content.snapshot', import.meta.url)), codeId: buildId }
  : undefined;

function fail(title: string, problems: readonly string[], status: number = EXIT_STATUS.notValid): never {
  process.stderr.write(`residesk cannot start: ${title}\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(status);
}

/**
 * `node dist/main.js --content-snapshot`: loads the content and writes its snapshot, so the first start after
 * a build reads it (the build runs this). Needs no configuration; a broken file fails as a start would.
 */
function writeContentSnapshot(): void {
  if (!contentSnapshot)
    fail('no content snapshot outside the build', ['run it as node dist/main.js --content-snapshot']);
  const { snapshot } = loadContentWithSnapshot(contentPaths(), contentSnapshot);
  if (snapshot.kind === 'not written') fail('the content snapshot cannot be written', [snapshot.reason]);
}

async function main(): Promise<void> {
  if (process.argv.includes('--content-snapshot')) return writeContentSnapshot();
  const config = readConfig(processEnv());
  const consoleMode = isConsoleMode(config);
  // In the console the chat owns the terminal: logs go to a file, and only warnings and errors to stderr.
  const consoleLog = consoleMode
    ? createConsoleModeLogger({
        level: config.logLevel,
        format: config.logFormat,
        file: join(config.dataDir, 'console.log'),
      })
    : undefined;
  const log = consoleLog?.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  for (const warning of configWarnings(config)) log.warn(warning);

  const clock = systemClock;
  // The review report's charts (/summary's album, the monthly sending) and the survey results' (/survey
  // report, a campaign's closing summary), drawn on a worker thread.
  const charts = createChartRenderer();
  const { app, store, storeChoice, content } = await bootstrap({
    config,
    log,
    clock,
    charts,
    consoleStaffRoom: consoleMode,
    ...(contentSnapshot ? { contentSnapshot } : {}),
  });
  const { i18n } = content;
  log.info({ ...describeStore(storeChoice), timeZone: config.timeZone }, 'store opened');
  // Knowledge staff saved from their answers joins the index before the first owner asks.
  await app.loadSavedKnowledge();
  // The month's review report goes to the staff rooms by itself on the first business morning (REVIEW_AUTOSEND).
  await app.scheduleReviews();

  const senders: ChannelSender[] = [];
  const workerId = `${hostname()}:${process.pid}`;
  const dispatcher = new Dispatcher({
    store,
    clock,
    senders,
    log,
    workerId,
    ...config.delivery,
    onUnreachable: (channel, chatId) => app.markUnreachable(channel, chatId),
    // A channel with a reply window (the Service Account): what the window refuses goes by template or to staff.
    replyWindows: new ReplyWindowGate(app.ctx),
  });
  const scheduler = new Scheduler({ store, clock, log, workerId, handlers: app.jobHandlers() });

  let consoleChannel: ConsoleChannel | undefined;
  // The console delivers in one line of rounds: after each typed line, and every second for what jobs
  // send meanwhile (a revisit, a repeat alert), so it is printed when due, never in the middle of a reply.
  let flushing: Promise<void> = Promise.resolve();
  const flushConsole = () => {
    flushing = flushing
      .then(() => dispatcher.drain())
      .catch((error: unknown) => log.error({ err: error }, 'console delivery failed'));
    return flushing;
  };
  if (consoleMode) {
    consoleChannel = new ConsoleChannel({
      input: process.stdin,
      output: process.stdout,
      color: Boolean(process.stdout.isTTY),
      handle: (inbound) => app.handleInbound(inbound),
      flush: flushConsole,
      now: () => clock.now(),
      filesDir: join(config.dataDir, 'console-files'),
      banner: [
        `residesk · ${config.estateName} — console chat (no messaging platform configured)`,
        'Type 你好 or /start to begin. Reply with a number to choose. /as staff and /as owner switch sides; /quit ends.',
        ...(consoleLog?.file ? [`Logs: ${consoleLog.file} (warnings and errors also appear here).`] : []),
        '',
      ].join('\n'),
    });
    senders.push(consoleChannel);
  }

  /**
   * A platform's channel, tried again with backoff while the platform does not answer (network, outage) for
   * STARTUP_RETRY; still unreachable then, start-up ends with one line and exit status 3; a refusal (a wrong
   * token or secret) with one line and status 2.
   */
  const connect = async <T>(o: {
    platform: string;
    title: string;
    create: () => Promise<T>;
    unreachable: (error: unknown) => boolean;
    refused: (error: unknown) => error is Error;
  }): Promise<T> => {
    try {
      return await retryWhileUnreachable(o.platform, o.create, {
        isUnreachable: o.unreachable,
        forMs: config.startupRetryMs,
        log,
      });
    } catch (error) {
      if (error instanceof PlatformUnreachable) {
        await store.close().catch(() => {});
        fail(
          `${o.platform} cannot be reached`,
          [`${error.message} (tried for STARTUP_RETRY=${config.startupRetryMs / 1000}s); exit status 3`],
          EXIT_STATUS.unreachable,
        );
      }
      if (o.refused(error)) fail(o.title, [error.message]);
      throw error;
    }
  };

  let telegram: TelegramChannel | undefined;
  if (config.telegram) {
    const tg = await import('./adapters/channels/telegram/telegram.js');
    const telegramConfig = config.telegram;
    const create = () =>
      tg.createTelegramChannel({
        config: telegramConfig,
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
    telegram = await connect({
      platform: 'the Telegram Bot API',
      title: 'Telegram cannot be used',
      create,
      unreachable: (e) => e instanceof tg.TelegramStartupError && e.code === 'TELEGRAM_UNREACHABLE',
      refused: (e) => e instanceof tg.TelegramStartupError,
    });
    senders.push(telegram);
  }

  let wecom: WecomChannel | undefined;
  if (config.wecom) {
    // The WeCom (企业微信) staff group with WeCom's smart bot, over its long connection: receiving starts at once.
    const wc = await import('./adapters/channels/wecom/wecom.js');
    const wecomConfig = config.wecom;
    const create = () =>
      wc.createWecomChannel({
        config: wecomConfig,
        store,
        log,
        now: () => clock.now(),
        handle: (inbound) => app.handleInbound(inbound),
        wake: () => dispatcher.wake(),
      });
    wecom = await connect({
      platform: 'WeCom',
      title: 'WeCom cannot be used',
      create,
      unreachable: (e) => e instanceof wc.WecomStartupError && e.code === 'WECOM_UNREACHABLE',
      refused: (e) => e instanceof wc.WecomStartupError,
    });
    senders.push(wecom);
  }

  let wechat: WechatChannel | undefined;
  if (config.wechat) {
    // wechaty loads only when WeChat is configured (over a second and ~150 MB). It is an optional extra that
    // npm ci leaves out: when it is missing, WechatStartupError names the command that installs it (exit status 2).
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

  let wechatMp: WechatMpChannel | undefined;
  if (config.wechatMp) {
    // The WeChat Service Account (服务号): owners over WeChat's official interfaces.
    const mp = await import('./adapters/channels/wechat-mp/wechat-mp.js');
    try {
      wechatMp = await mp.createWechatMpChannel({
        config: config.wechatMp,
        store,
        dataDir: config.dataDir,
        log,
        handle: (inbound) => app.handleInbound(inbound),
        wake: () => dispatcher.wake(),
        now: () => clock.now(),
        texts: i18n,
        defaultLocale: config.defaultLocale,
        onUnfollowed: (openId) => app.markUnreachable('wechat_mp', openId),
      });
    } catch (error) {
      if (error instanceof mp.WechatMpStartupError) fail('the WeChat Service Account cannot be used', [error.message]);
      throw error;
    }
    senders.push(wechatMp);
  }

  const cron = startCron(scheduler, config.schedulerTickMs, log);
  // Retention: a minute after start, then hourly; failures are logged and tried again the next hour.
  const prune = () =>
    void pruneOldRecords(store, clock, config.retention, log).catch((error: unknown) =>
      log.error({ err: error }, 'retention: deleting old rows failed; trying again in an hour'),
    );
  const retention = { first: setTimeout(prune, 60_000).unref(), every: setInterval(prune, 3_600_000).unref() };

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
        ...(wechatMp ? [{ name: 'wechat_mp', run: () => wechatMp?.stop() }] : []),
        ...(wecom ? [{ name: 'wecom', run: () => wecom?.stop() }] : []),
        { name: 'cron', run: () => cron.stop() },
        { name: 'retention', run: () => [clearTimeout(retention.first), clearInterval(retention.every)] },
        { name: 'dispatcher', run: () => dispatcher.stop() },
        { name: 'charts', run: () => charts.close() },
        { name: 'store', run: () => store.close() },
      ],
      log,
    );
    process.exit(failed.length > 0 ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // The knowledge index a start from the content snapshot left unbuilt is built at the first enquiry (about
  // 40 ms, once), not now: built at every start it held 13 MB of an idle bot's memory.
  if (consoleChannel) {
    const delivering = setInterval(() => void flushConsole(), 1000);
    delivering.unref();
    await consoleChannel.run();
    clearInterval(delivering);
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
  if (wechatMp) {
    const mp = await import('./adapters/channels/wechat-mp/wechat-mp.js');
    try {
      await wechatMp.start();
    } catch (error) {
      if (error instanceof mp.WechatMpStartupError) fail('the WeChat Service Account cannot be used', [error.message]);
      throw error;
    }
  }
  // Start-up as the footprint goal counts it (issue 17): from the process's start to ready, and its CPU (all threads).
  const cpu = process.cpuUsage();
  log.info(
    {
      channels: senders.map((s) => s.channel),
      startupMs: Math.round(performance.now()),
      startupCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rssMb: Math.round(process.memoryUsage.rss() / 1048576),
    },
    'residesk is running',
  );
  // A configuration-relevant event: which channels this start serves (the audit log keeps it).
  await recordAudit({ clock, newId }, store, {
    actorId: 'system',
    action: 'app.start',
    detail: { channels: senders.map((s) => s.channel).join(','), store: storeChoice.kind },
  }).catch((error: unknown) => log.error({ err: error }, 'could not record the start on the audit log'));
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) fail(error.title, error.problems);
  process.stderr.write(
    `residesk stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(EXIT_STATUS.failed);
});
