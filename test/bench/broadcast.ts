/**
 * The broadcast figure: residesk (Telegram's real limits) over a store of seeded owners (seed.ts,
 * `seedOwners`); a survey campaign created, previewed and started through the product's own path
 * (`npm run survey`'s runSurveyCli, on the bot's database file, as an operator would), its invitations
 * sent by the bot's own scheduler at BROADCAST_RATE (default 20/s) for a fixed window. Reported: the
 * owners whose chat received their invitation, the pace from the first invitation to the window's end,
 * the bot's RSS at the first invitation and at the end (flat memory), the time 100,000 invitations would
 * take at that pace (a projection from the measured pace, not a measurement), and one owner reporting a
 * repair meanwhile: from each answer to the next question (their questions must not queue behind the
 * broadcast). The campaign targets the seeded owners' buildings, so that owner is not invited mid-report.
 */
import { performance } from 'node:perf_hooks';
import { runSurveyCli } from '../../src/cli/survey.js';
import { type RunningBot, STAFF_CHAT, TOKEN } from './bots.js';
import type { FakeBotApi } from './fake-bot-api.js';
import { quantile, runOwners } from './load.js';
import { usage } from './process.js';
import { OWNER_BUILDINGS, OWNER_CHAT_BASE } from './seed.js';

export interface BroadcastResult {
  owners: number;
  windowSeconds: number;
  /** From the campaign started to the first invitation at the fake Bot API (the scheduler's next tick). */
  firstInvitationSeconds: number;
  /** Owners whose chat received their invitation within the window. */
  invited: number;
  /** Messages an invited owner's chat received (the invitation, the first question …). */
  messagesPerInvitation: number;
  /** Invitations a second, from the first one to the window's end. */
  perSecond: number;
  /** The bot's main process, at the first invitation and at the window's end. */
  rssStartMb: number;
  rssEndMb: number;
  /** 100,000 invitations at the measured pace (a projection). */
  projected100kHours: number;
  /** One owner reporting a repair during the broadcast: each answer to the next question, ms. */
  ownerNextQuestionP50Ms: number;
  ownerNextQuestionP99Ms: number;
  ownerSteps: number;
}

/** Runs a campaign's invitations for `windowMs` on the running `bot`, whose store holds `owners` seeded owners. */
export async function runBroadcast(o: {
  api: FakeBotApi;
  bot: RunningBot;
  dataDir: string;
  owners: number;
  windowMs: number;
  /** The conversing owner's mean think time (load.ts). */
  thinkMs: number;
}): Promise<BroadcastResult> {
  const env = {
    DATA_DIR: o.dataDir,
    LOG_LEVEL: 'warn',
    TZ: 'Asia/Shanghai',
    BUSINESS_HOURS: '24h',
    QUIET_HOURS: 'off',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
  };
  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  const survey = async (...argv: string[]) => {
    const code = await runSurveyCli(argv, io, { env });
    if (code !== 0) throw new Error(`npm run survey -- ${argv.join(' ')}: exit ${code}\n${out.join('')}`);
  };
  // The seeded owners' buildings: the owner conversing meanwhile (building 3) is not invited mid-report.
  await survey('create', 'residential', '业主满意度调查', `buildings=${OWNER_BUILDINGS.join(',')}`);
  const id = out.join('').match(/S\d{3,}/)?.[0];
  if (!id) throw new Error(`no campaign id in: ${out.join('')}`);
  await survey('preview', id);

  const first = o.api.waitFor(OWNER_CHAT_BASE, 0, () => true, o.windowMs);
  const t0 = performance.now();
  await survey('start', id);
  const end = t0 + o.windowMs;
  // An owner reports a repair meanwhile, as owners do (think time), from the campaign's start to the end.
  const conversation = runOwners({
    api: o.api,
    webhook: o.bot.webhook,
    owners: 1,
    firstChat: 890_000_001,
    ms: o.windowMs,
    stepTimeoutMs: 120_000,
    thinkMs: o.thinkMs,
  });
  let firstAt: number | undefined;
  let rssStartMb = 0;
  try {
    firstAt = (await first).at;
    rssStartMb = usage(o.bot.pid).mainRssMb;
  } catch {
    // No invitation within the window: reported as none.
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - performance.now())));
  const at = performance.now();
  const rssEndMb = usage(o.bot.pid).mainRssMb;
  let invited = 0;
  let messages = 0;
  for (let k = 0; k < o.owners; k++) {
    const n = o.api.count(OWNER_CHAT_BASE + k);
    if (n > 0) invited++;
    messages += n;
  }
  const talk = await conversation;
  const perSecond = firstAt === undefined ? 0 : invited / Math.max(0.001, (at - firstAt) / 1000);
  return {
    owners: o.owners,
    windowSeconds: o.windowMs / 1000,
    firstInvitationSeconds: firstAt === undefined ? Number.POSITIVE_INFINITY : (firstAt - t0) / 1000,
    invited,
    messagesPerInvitation: invited > 0 ? messages / invited : 0,
    perSecond,
    rssStartMb,
    rssEndMb,
    projected100kHours: perSecond > 0 ? 100_000 / perSecond / 3600 : Number.POSITIVE_INFINITY,
    ownerNextQuestionP50Ms: quantile(talk.nextQuestionMs, 0.5),
    ownerNextQuestionP99Ms: quantile(talk.nextQuestionMs, 0.99),
    ownerSteps: talk.nextQuestionMs.length,
  };
}
