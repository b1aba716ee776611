/**
 * The benchmark's Bot API: a small node:http server that answers the methods a bot calls (getMe, getChat,
 * setWebhook, setMyCommands, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
 * deleteMessage, …) as Telegram would for a healthy bot, and tells the load generator when a message
 * reaches a chat. It keeps only what a conversation needs (the messages of each chat since its last
 * `reset`), so it stays cheap at thousands of calls per second; `measureCapacity` shows how far it is from
 * being the bottleneck. telegram-test-api keeps every message in arrays it filters on every call, and in
 * webhook mode posts updates itself, so the load generator could not time the webhook.
 */
import { Agent, createServer, type IncomingMessage, request, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A message the bot sent to a chat, as the fake received it. */
export interface SentMessage {
  messageId: number;
  text: string;
  /** callback_data of the inline keyboard's buttons, in order. */
  buttons: string[];
  /** performance.now() when the call arrived. */
  at: number;
}

interface Waiter {
  from: number;
  match: (m: SentMessage) => boolean;
  resolve: (m: SentMessage) => void;
}

interface ChatLog {
  messages: SentMessage[];
  waiters: Waiter[];
}

export interface FakeBotApi {
  /** The API root to give the bot (TELEGRAM_API_ROOT). */
  url: string;
  /** Calls answered, by method. */
  calls: Record<string, number>;
  /**
   * Resolves with performance.now() when a bot next registers its webhook (the last step of its
   * start-up); call it before starting the bot.
   */
  nextWebhook(): Promise<number>;
  /** Forgets a chat's messages (a new conversation starts). */
  reset(chatId: number): void;
  /** How many messages the chat has received since its reset. */
  count(chatId: number): number;
  /**
   * The first message to the chat at or after index `from` that `match` accepts, waiting for it at most
   * `timeoutMs`.
   */
  waitFor(chatId: number, from: number, match: (m: SentMessage) => boolean, timeoutMs: number): Promise<SentMessage>;
  /**
   * What Telegram does with a webhook's answer that names a `method` (a button press's answer): makes
   * that call for the bot, here in-process and counted with the others. Anything else is ignored.
   */
  madeByTelegram(answer: WebhookAnswer): void;
  close(): Promise<void>;
}

/** A webhook's answer: its status, and its body when it was JSON. */
export interface WebhookAnswer {
  status: number;
  json?: unknown;
}

const BOT = { id: 4242, is_bot: true, first_name: 'Residesk', username: 'residesk_bench_bot' };

function keyboard(markup: unknown): string[] {
  const rows = (markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat().map((b) => String(b.callback_data ?? ''));
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!(req.headers['content-type'] ?? '').includes('json')) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeBotApi(): Promise<FakeBotApi> {
  const chats = new Map<number, ChatLog>();
  const calls: Record<string, number> = {};
  let messageId = 1000;
  let webhookWaiters: ((at: number) => void)[] = [];
  const chat = (id: number): ChatLog => {
    let log = chats.get(id);
    if (!log) {
      log = { messages: [], waiters: [] };
      chats.set(id, log);
    }
    return log;
  };
  const answer = (method: string, b: Record<string, unknown>): unknown => {
    const chatId = Number(b.chat_id);
    const date = Math.floor(Date.now() / 1000);
    const chatObject = { id: chatId, type: chatId < 0 ? 'supergroup' : 'private', title: 'bench' };
    switch (method) {
      case 'getMe':
        return BOT;
      case 'getChat':
        return chatObject;
      case 'getUpdates':
        return [];
      case 'setWebhook':
        for (const resolve of webhookWaiters) resolve(performance.now());
        webhookWaiters = [];
        return true;
      case 'sendMessage':
      case 'sendDocument':
      case 'sendPhoto': {
        messageId += 1;
        const sent: SentMessage = {
          messageId,
          text: String(b.text ?? b.caption ?? ''),
          buttons: keyboard(b.reply_markup),
          at: performance.now(),
        };
        const log = chat(chatId);
        log.messages.push(sent);
        const index = log.messages.length - 1;
        log.waiters = log.waiters.filter((w) => {
          if (index < w.from || !w.match(sent)) return true;
          w.resolve(sent);
          return false;
        });
        return { message_id: messageId, date, chat: chatObject, from: BOT, text: sent.text };
      }
      case 'editMessageText':
        return { message_id: Number(b.message_id), date, chat: chatObject, from: BOT, text: String(b.text ?? '') };
      default:
        return true;
    }
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').match(/^\/bot[^/]+\/(\w+)/)?.[1] ?? '';
      const b = await body(req);
      calls[method] = (calls[method] ?? 0) + 1;
      const payload = JSON.stringify({ ok: true, result: answer(method, b) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    })();
  });
  server.keepAliveTimeout = 60_000;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    nextWebhook: () => new Promise<number>((resolve) => webhookWaiters.push(resolve)),
    reset: (chatId) => {
      chats.delete(chatId);
    },
    count: (chatId) => chats.get(chatId)?.messages.length ?? 0,
    madeByTelegram: ({ status, json }) => {
      if (status !== 200 || typeof json !== 'object' || json === null) return;
      const { method, ...params } = json as Record<string, unknown>;
      if (typeof method !== 'string') return;
      calls[method] = (calls[method] ?? 0) + 1;
      answer(method, params);
    },
    waitFor: (chatId, from, match, timeoutMs) => {
      const log = chat(chatId);
      const found = log.messages.find((m, i) => i >= from && match(m));
      if (found) return Promise.resolve(found);
      return new Promise<SentMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          log.waiters = log.waiters.filter((w) => w !== waiter);
          const seen = log.messages.slice(from).map((m) => m.text.slice(0, 60));
          reject(
            new Error(`chat ${chatId}: no expected message within ${timeoutMs} ms (got: ${JSON.stringify(seen)})`),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          from,
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        log.waiters.push(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * POSTs JSON on a kept-alive connection; resolves with the status (and a JSON body) once the answer is read. A request on
 * a reused connection that the server closed meanwhile (its keep-alive timeout) is sent again once, as
 * Node's documentation advises and as Telegram redelivers an update that was not answered.
 */
export function postJson(
  agent: Agent,
  url: URL,
  payload: unknown,
  headers: Record<string, string> = {},
  retry = true,
): Promise<WebhookAnswer> {
  const data = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (!(res.headers['content-type'] ?? '').startsWith('application/json') || text === '') resolve({ status });
          else {
            try {
              resolve({ status, json: JSON.parse(text) as unknown });
            } catch (error) {
              reject(error); // a reply that says JSON and is not: the load fails with it, the process does not
            }
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        postJson(agent, url, payload, headers, false).then(resolve, reject);
      } else reject(error);
    });
    req.end(data);
  });
}

/**
 * What the fake can answer when nothing else runs: sendMessage calls per second from `concurrency`
 * clients for `ms` milliseconds. The bot's Bot API calls per second under load should be far below it.
 */
export async function measureCapacity(api: FakeBotApi, concurrency: number, ms: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${api.url}/bot1:capacity/sendMessage`);
  const end = performance.now() + ms;
  let n = 0;
  const chatId = -999_999;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await postJson(agent, url, { chat_id: chatId, text: 'capacity' });
        n++;
        if (n % 1000 === 0) api.reset(chatId);
      }
    }),
  );
  api.reset(chatId);
  agent.destroy();
  return n / (ms / 1000);
}
