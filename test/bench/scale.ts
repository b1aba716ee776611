/**
 * The scale figures, on residesk started over a seeded store (seed.ts): how long 1,000 deadline checks
 * made due at once take to be run by the bot's own scheduler, a staff member's `/tickets` and `/summary`
 * (this month, and a month of the history), and owners' messages posted while a `/summary` runs (the
 * slowest of them; beside it the median with no report running) — all through the webhook, the answers
 * timed at the fake Bot API.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type RunningBot, SECRET, STAFF_CHAT } from './bots.js';
import { type FakeBotApi, postJson } from './fake-bot-api.js';
import { addDueJobs, dueJobsReader } from './seed.js';

const zh = JSON.parse(readFileSync(new URL('../../locales/zh-CN.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
function fragment(key: string): string {
  const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], zh);
  if (typeof value !== 'string') throw new Error(`locales/zh-CN.json has no text ${key}`);
  return value.split('{{')[0] ?? value;
}

export interface ScaleResult {
  /** Seconds until no seeded job was due any more (extrapolated from the pace when `capped`). */
  dueJobsSeconds: number;
  dueJobsCapped: boolean;
  ticketsMs: number;
  summaryMs: number;
  summaryPastMonthMs: number;
  /**
   * New owners' /start posted while a /summary runs (20 ms after it, then every 25 ms until it is
   * answered): the slowest webhook answer, and the slowest menu to arrive; and how many owners wrote.
   */
  ownerDuringSummaryWebhookMs: number;
  ownerDuringSummaryReplyMs: number;
  ownersDuringSummary: number;
  /** For comparison: the median of owners' /start with no report running, on the machine as loaded then. */
  ownerAloneWebhookMs: number;
  ownerAloneReplyMs: number;
}

/** Owners who write with no report running, for comparison. */
const OWNERS_ALONE = 5;

let updateId = 5_000_000;
let messageId = 5_000_000;

function message(chatId: number, userId: number, text: string): unknown {
  updateId += 1;
  messageId += 1;
  const group = chatId < 0;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: group
        ? { id: chatId, type: 'supergroup', title: '客服中心' }
        : { id: chatId, type: 'private', first_name: '张' },
      from: { id: userId, is_bot: false, first_name: group ? '王师傅' : '张', language_code: 'zh-hans' },
      text,
      ...(text.startsWith('/')
        ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]?.length ?? 0 }] }
        : {}),
    },
  };
}

export async function runScale(o: {
  api: FakeBotApi;
  bot: RunningBot;
  dataDir: string;
  /** How many tickets were seeded (the newest are open). */
  tickets: number;
  dueJobs: number;
  /** The most time given to the due jobs. */
  capMs: number;
  /** A month of the seeded history, as `/summary` takes it (YYYY-MM). */
  pastMonth: string;
}): Promise<ScaleResult> {
  const agent = new Agent({ keepAlive: true });
  const headers = { 'x-telegram-bot-api-secret-token': SECRET };
  // Telegram makes the call a webhook answers with (only a button press's answer, and these are messages).
  const post = async (body: unknown) => o.api.madeByTelegram(await postJson(agent, o.bot.webhook, body, headers));
  const STAFF_USER = 7001;
  const OWNER = 880_000_001;

  // The due jobs: made due at once, then counted from the file while the bot's scheduler (on its own
  // tick, SCHEDULER_TICK) works through them.
  const reader = dueJobsReader(o.dataDir);
  addDueJobs({ dataDir: o.dataDir, tickets: o.tickets, n: o.dueJobs });
  const t0 = performance.now();
  let left = reader.count(Date.now());
  while (left > 0 && performance.now() - t0 < o.capMs) {
    await new Promise((r) => setTimeout(r, 100));
    left = reader.count(Date.now());
  }
  const elapsed = (performance.now() - t0) / 1000;
  reader.close();
  const done = o.dueJobs - left;
  const dueJobsCapped = left > 0;
  const dueJobsSeconds = dueJobsCapped ? (done > 0 ? (elapsed * o.dueJobs) / done : Number.POSITIVE_INFINITY) : elapsed;

  /** Posts a staff command and times it until a staff-group message containing `expect` arrives. */
  const staff = async (text: string, expect: string) => {
    const from = o.api.count(STAFF_CHAT);
    const arrived = o.api.waitFor(STAFF_CHAT, from, (m) => m.text.includes(expect), 120_000);
    const t = performance.now();
    await post(message(STAFF_CHAT, STAFF_USER, text));
    return (await arrived).at - t;
  };
  // A first word in the group registers the staff member; then each command twice, the second timed.
  await staff('/tickets', fragment('desk.list.unassigned'));
  const ticketsMs = await staff('/tickets', fragment('desk.list.unassigned'));
  const title = fragment('desk.summary.title');
  await staff('/summary', title);
  const summaryMs = await staff('/summary', title);
  const summaryPastMonthMs = await staff(`/summary ${o.pastMonth}`, title);

  /** A new owner's /start: the webhook's answer, and the menu arriving. */
  const ownerStart = async (owner: number) => {
    const menu = o.api.waitFor(owner, 0, (m) => m.text.includes(fragment('menu.title')), 120_000);
    const t = performance.now();
    await post(message(owner, owner, '/start'));
    const webhookMs = performance.now() - t;
    return { webhookMs, replyMs: (await menu).at - t };
  };
  let nextOwner = OWNER;
  // For comparison, on this machine as loaded now: owners writing with no report running.
  const alone: { webhookMs: number; replyMs: number }[] = [];
  for (let i = 0; i < OWNERS_ALONE; i++) alone.push(await ownerStart(nextOwner++));
  // A /summary is posted; 20 ms later, and every 25 ms until its answer arrives, a new owner writes.
  let summaryAnswered = false;
  const summaryDone = staff('/summary', title).finally(() => {
    summaryAnswered = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  const writing: Promise<{ webhookMs: number; replyMs: number }>[] = [];
  do {
    writing.push(ownerStart(nextOwner++));
    await new Promise((r) => setTimeout(r, 25));
  } while (!summaryAnswered);
  const during = await Promise.all(writing);
  await summaryDone;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  agent.destroy();
  return {
    dueJobsSeconds,
    dueJobsCapped,
    ticketsMs,
    summaryMs,
    summaryPastMonthMs,
    ownerDuringSummaryWebhookMs: Math.max(...during.map((d) => d.webhookMs)),
    ownerDuringSummaryReplyMs: Math.max(...during.map((d) => d.replyMs)),
    ownersDuringSummary: during.length,
    ownerAloneWebhookMs: median(alone.map((a) => a.webhookMs)),
    ownerAloneReplyMs: median(alone.map((a) => a.replyMs)),
  };
}
