/**
 * The load generator: owners who each walk a repair report as a person does — /start, the menu, the
 * category by button, the flat and the description typed, photos and demand skipped by button, name and
 * phone typed, the read-back confirmed — posting each answer to the bot's webhook (with the secret header,
 * as Telegram does) only once the question it answers has reached the fake Bot API. Every update's
 * webhook round trip is timed, and every step's wait from the answer posted to the next question
 * arriving (what the owner feels).
 *
 * Owners can take a think time before each answer (reading the question, then tapping or typing), as a
 * person does: what owners feel under Telegram's real limits is measured with {@link THINK_MS}, since an
 * owner who answers the instant a question arrives asks more of the per-chat limit than anyone can. Each
 * pause is drawn uniformly from half to one and a half times the mean, so that many owners do not answer
 * in lockstep. The pipeline loads (limits lifted) use none: they measure the bot, not people.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SECRET } from './bots.js';
import { type FakeBotApi, postJson, type SentMessage } from './fake-bot-api.js';

const zh = JSON.parse(readFileSync(new URL('../../locales/zh-CN.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;

/** The start of a zh-CN text by its key, up to its first placeholder: what a message must contain. */
function fragment(key: string): string {
  const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], zh);
  if (typeof value !== 'string') throw new Error(`locales/zh-CN.json has no text ${key}`);
  return value.split('{{')[0] ?? value;
}

/** Stands for the owner's own mobile number (each chat its own, as owners have: one shared number would make
 * every report look up a growing list of owners by that phone). */
const PHONE = '<phone>';
const phoneOf = (chatId: number) => `138${String(chatId % 100_000_000).padStart(8, '0')}`;

/** One answer: typed text, or the button whose data ends with `press` on the last question. */
type Answer = { text: string } | { press: string };

/** The report: each answer with the text of the question that must follow it. */
const CONVERSATION: { answer: Answer; next: string }[] = [
  { answer: { text: '/start' }, next: fragment('menu.title') },
  { answer: { press: 'm.repair' }, next: fragment('complaint.ask.category') },
  { answer: { press: 'o.water_power' }, next: fragment('complaint.ask.location') },
  { answer: { text: '3-2-501' }, next: fragment('complaint.ask.description') },
  { answer: { text: '卫生间天花板漏水，滴到地上了' }, next: fragment('complaint.ask.photos') },
  { answer: { press: 'done' }, next: fragment('complaint.ask.demand') },
  { answer: { press: 'skip' }, next: fragment('complaint.ask.name') },
  { answer: { text: '张三' }, next: fragment('complaint.ask.phone') },
  { answer: { text: PHONE }, next: fragment('complaint.readback') },
  { answer: { press: 'ok' }, next: fragment('ticket.created') },
];
const MENU = fragment('menu.title');

/** An owner's mean think time before each answer in the real-limits loads, ms (`npm run bench --think-ms`). */
export const THINK_MS = 2000;

let updateId = 0;
let messageId = 0;

function update(chatId: number, answer: Answer, question: SentMessage | undefined): unknown {
  const chat = { id: chatId, type: 'private', first_name: '张' };
  const from = { id: chatId, is_bot: false, first_name: '张', language_code: 'zh-hans' };
  updateId += 1;
  if ('press' in answer) {
    const data = question?.buttons.find((b) => b.endsWith(answer.press));
    if (!question || data === undefined) {
      throw new Error(`chat ${chatId}: no button ${answer.press} on ${JSON.stringify(question?.buttons ?? [])}`);
    }
    return {
      update_id: updateId,
      callback_query: {
        id: `cb-${updateId}`,
        from,
        chat_instance: `ci-${chatId}`,
        data,
        message: { message_id: question.messageId, date: 0, chat, text: question.text },
      },
    };
  }
  messageId += 1;
  const text = answer.text === PHONE ? phoneOf(chatId) : answer.text;
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat,
      from,
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.length }] } : {}),
    },
  };
}

export interface LoadResult {
  updates: number;
  seconds: number;
  /** Webhook round trips, ms, sorted. */
  webhookMs: number[];
  /** From an answer posted to the next question at the fake Bot API, ms, sorted. */
  nextQuestionMs: number[];
  /** The same waits by the report's step (0: /start … 9: the read-back confirmed), each sorted. */
  nextQuestionByStepMs: number[][];
  conversations: number;
}

/**
 * `owners` owners at once walk reports for `ms` milliseconds, each report from a new chat (ids from
 * `firstChat` on); a step under way when time is up is finished. `stepTimeoutMs` bounds the wait for a question.
 */
export async function runOwners(o: {
  api: FakeBotApi;
  webhook: URL;
  owners: number;
  firstChat: number;
  ms: number;
  stepTimeoutMs: number;
  /**
   * Mean think time before each message, a report's first (/start) too, ms; 0 (the default) answers at
   * once. Owners who think so do not all start in the same millisecond: 64 /start at once were 128 messages
   * (welcome and menu) queued behind Telegram's 30 a second, a burst no estate's owners make, and enough of
   * a run's steps to set its p99.
   */
  thinkMs?: number;
}): Promise<LoadResult> {
  const think = o.thinkMs ?? 0;
  const pause = () =>
    think > 0 ? new Promise((resolve) => setTimeout(resolve, think * (0.5 + Math.random()))) : undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: o.owners });
  // Telegram keeps its connections to a webhook open; so do the owners here: one each, opened before the clock
  // starts (GET /healthz), so that the first answers do not queue behind 64 connections being accepted at once.
  await Promise.all(Array.from({ length: o.owners }, () => getOnce(agent, new URL('/healthz', o.webhook))));
  const headers = { 'x-telegram-bot-api-secret-token': SECRET };
  const webhookMs: number[] = [];
  const nextQuestionMs: number[] = [];
  const byStep: number[][] = CONVERSATION.map(() => []);
  let updates = 0;
  let conversations = 0;
  const t0 = performance.now();
  const end = t0 + o.ms;

  let nextChat = o.firstChat;
  // Each report is a new owner's (one who reported before is not asked for a name and phone again).
  const owner = async () => {
    while (performance.now() < end) {
      const chatId = nextChat++;
      let question: SentMessage | undefined;
      for (const [index, step] of CONVERSATION.entries()) {
        if (index > 0 || think > 0) await pause();
        if (performance.now() >= end) return;
        const from = o.api.count(chatId);
        const body = update(chatId, step.answer, question);
        const arrived = o.api.waitFor(chatId, from, (m) => m.text.includes(step.next), o.stepTimeoutMs);
        arrived.catch(() => undefined);
        const sent = performance.now();
        const answer = await postJson(agent, o.webhook, body, headers);
        webhookMs.push(performance.now() - sent);
        if (answer.status !== 200) throw new Error(`the webhook answered ${answer.status}`);
        o.api.madeByTelegram(answer);
        updates++;
        question = await arrived;
        nextQuestionMs.push(question.at - sent);
        byStep[index]?.push(question.at - sent);
      }
      // The "anything else?" menu comes with the receipt (or after it); the next report starts after it.
      const confirmation = question?.messageId ?? 0;
      await o.api.waitFor(chatId, 0, (m) => m.text.includes(MENU) && m.messageId >= confirmation, o.stepTimeoutMs);
      o.api.reset(chatId);
      conversations++;
    }
  };
  await Promise.all(Array.from({ length: o.owners }, owner));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const sort = (a: number[]) => a.sort((x, y) => x - y);
  return {
    updates,
    seconds,
    webhookMs: sort(webhookMs),
    nextQuestionMs: sort(nextQuestionMs),
    nextQuestionByStepMs: byStep.map(sort),
    conversations,
  };
}

/** One GET through `agent` (its connection then stays open in the agent's pool); any answer will do. */
function getOnce(agent: Agent, url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

/** The q-quantile of sorted values (nearest rank); 0 for none. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
