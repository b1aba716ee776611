/**
 * The two bots the benchmark drives, each started in a child process against the fake Bot API in webhook
 * mode with a secret: residesk as `npm start` runs it (Telegram only, no WeChat, a SQLite store in a
 * directory of its own), and the baseline (baseline-bot.ts: telegraf, a WizardScene, a SQLite session
 * store). Ready means the bot has registered its webhook, the last step of its start-up.
 */
import { performance } from 'node:perf_hooks';
import type { FakeBotApi } from './fake-bot-api.js';
import { freePort, spawnQuiet, startCommand, usage } from './process.js';

export const TOKEN = '4242:bench-token';
export const SECRET = 'bench-webhook-secret';
export const STAFF_CHAT = -1001000000001;
export const WEBHOOK_PATH = '/telegram/webhook';

export interface RunningBot {
  pid: number;
  /** The webhook's URL (the load generator posts updates here with the secret header). */
  webhook: URL;
  /** From spawn to the webhook registered, in ms. */
  startMs: number;
  /** The end of what the bot printed (for an error's report). */
  output(): string;
  /** Whether it has exited. */
  exited(): boolean;
  stop(): Promise<void>;
}

/** Telegram's limits, or lifted far out of the way to see the pipeline. */
export type Limits = 'real' | 'lifted';

async function ready(
  run: ReturnType<typeof spawnQuiet>,
  registered: Promise<number>,
  port: number,
  t0: number,
): Promise<RunningBot> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the bot was not ready in 60 s:\n${run.output()}`)), 60_000).unref(),
  );
  const exited = run.exited.then((code) => {
    throw new Error(`the bot exited (${code}) before it was ready:\n${run.output()}`);
  });
  const at = await Promise.race([registered, timeout, exited]);
  return {
    pid: run.child.pid ?? 0,
    webhook: new URL(`http://127.0.0.1:${port}${WEBHOOK_PATH}`),
    startMs: at - t0,
    output: run.output,
    exited: () => run.child.exitCode !== null || run.child.signalCode !== null,
    stop: run.stop,
  };
}

/** residesk in Telegram mode, started as `npm start` starts it, with its data in `dataDir`. */
export async function startResidesk(o: {
  root: string;
  api: FakeBotApi;
  dataDir: string;
  limits: Limits;
  /** More of the bot's environment (the smoke run's shorter scheduler tick). */
  env?: Record<string, string>;
}): Promise<RunningBot> {
  const port = await freePort();
  const { command, args } = startCommand(o.root);
  const rates =
    o.limits === 'real'
      ? { TELEGRAM_RATE_GLOBAL: '30', TELEGRAM_RATE_PRIVATE: '1', TELEGRAM_RATE_GROUP: '20' }
      : // Lifted: the bot-wide limit far above what the bot sends (at 1,000 a second it held the edits that close
        // answered questions back once the bot sent 800 a second, see limiter.ts, and they piled up in the outbox).
        { TELEGRAM_RATE_GLOBAL: '100000', TELEGRAM_RATE_PRIVATE: '1000', TELEGRAM_RATE_GROUP: '1000' };
  const registered = o.api.nextWebhook();
  const t0 = performance.now();
  const run = spawnQuiet(
    command,
    args,
    {
      NODE_ENV: 'production',
      DATA_DIR: o.dataDir,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      TZ: 'Asia/Shanghai',
      ESTATE_NAME: '阳光花园',
      DUTY_PHONE: '0571-88886666',
      BUSINESS_HOURS: '24h',
      QUIET_HOURS: 'off',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
      TELEGRAM_API_ROOT: o.api.url,
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      ...rates,
      ...o.env,
    },
    o.root,
  );
  return ready(run, registered, port, t0);
}

/** The baseline bot (baseline-bot.ts), run by tsx like residesk's `npm start`. */
export async function startBaseline(o: { root: string; api: FakeBotApi; dataDir: string }): Promise<RunningBot> {
  const port = await freePort();
  const registered = o.api.nextWebhook();
  const t0 = performance.now();
  const run = spawnQuiet(
    `${o.root}/node_modules/.bin/tsx`,
    ['test/bench/baseline-bot.ts'],
    {
      NODE_ENV: 'production',
      BASELINE_DB: `${o.dataDir}/sessions.db`,
      BOT_TOKEN: TOKEN,
      API_ROOT: o.api.url,
      WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
    },
    o.root,
  );
  return ready(run, registered, port, t0);
}

/** Idle footprint: RSS of the bot's process tree after it has been ready and quiet for `settleMs`. */
export async function idleRss(bot: RunningBot, settleMs: number): Promise<{ rssMb: number; mainRssMb: number }> {
  await new Promise((r) => setTimeout(r, settleMs));
  const u = usage(bot.pid);
  return { rssMb: u.rssMb, mainRssMb: u.mainRssMb };
}
