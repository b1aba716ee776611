/**
 * Test peers for the Telegram channel: a scripted fake Bot API that records every call, a recording
 * proxy, free ports, and a short polling wait.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
  /** The (fake) time the call arrived. */
  at: number;
}

/** What the fake answers: a status and a Bot API body, or `'drop'` to cut the connection (a network error). */
export type ApiAnswer = { status: number; body: unknown; delayMs?: number } | 'drop';

/** Decides the answer to a call; undefined falls back to a successful default. */
export type ApiScript = (call: ApiCall, calls: readonly ApiCall[]) => ApiAnswer | undefined;

export const ok = (result: unknown): ApiAnswer => ({ status: 200, body: { ok: true, result } });
export const fail = (status: number, description: string, parameters?: Record<string, unknown>): ApiAnswer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { raw: text };
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface FakeBotApi {
  /** The API root to give the channel (TELEGRAM_API_ROOT). */
  url: string;
  calls: ApiCall[];
  script: ApiScript | undefined;
  /** Calls of one method, optionally to one chat. */
  callsOf(method: string, chatId?: string): ApiCall[];
  close(): Promise<void>;
}

/** A Bot API on localhost that answers per `script`, else like Telegram would for a healthy bot. */
export async function startFakeBotApi(
  opts: { now?: () => number; script?: ApiScript; token?: string } = {},
): Promise<FakeBotApi> {
  const now = opts.now ?? Date.now;
  let messageId = 100;
  const calls: ApiCall[] = [];
  const api: FakeBotApi = {
    url: '',
    calls,
    script: opts.script,
    callsOf: (method, chatId) =>
      calls.filter((c) => c.method === method && (chatId === undefined || String(c.body.chat_id) === chatId)),
    close: () => close(server),
  };
  const fallback = (call: ApiCall): ApiAnswer => {
    const chat = { id: Number(call.body.chat_id), type: Number(call.body.chat_id) < 0 ? 'supergroup' : 'private' };
    const date = Math.floor(now() / 1000);
    switch (call.method) {
      case 'getMe':
        return ok({ id: 4242, is_bot: true, first_name: 'Residesk', username: 'residesk_test_bot' });
      case 'sendMessage':
        messageId += 1;
        return ok({ message_id: messageId, chat, date, text: call.body.text });
      case 'sendPhoto':
        messageId += 1;
        return ok({ message_id: messageId, chat, date, photo: [] });
      case 'sendMediaGroup':
        return ok(
          (call.body.media as unknown[]).map(() => {
            messageId += 1;
            return { message_id: messageId, chat, date, photo: [] };
          }),
        );
      case 'getUpdates':
        return ok([]);
      default:
        return ok(true);
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const match = (req.url ?? '').match(/^\/bot([^/]+)\/(\w+)/);
      const body = await readJson(req);
      if (!match || (opts.token && match[1] !== opts.token)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        return;
      }
      const call: ApiCall = { method: match[2] ?? '', body, at: now() };
      calls.push(call);
      const answer = api.script?.(call, calls) ?? fallback(call);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    })();
  });
  const port = await listen(server);
  api.url = `http://127.0.0.1:${port}`;
  return api;
}

/** A port nobody listens on right now (listen on 0, note the port, close). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ProxiedRequest {
  path: string;
  body: Record<string, unknown>;
  status: number;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy to `target` that records every JSON request (and the answer's status). `headers` adds
 * request headers per request, e.g. the secret header Telegram sends with webhook updates; `answered`
 * sees each answer before it is passed back (e.g. to make the Bot API call a webhook answered with).
 */
export async function startRecordingProxy(
  target: () => string,
  headers: (req: ProxiedRequest) => Record<string, string> = () => ({}),
  answered: (answer: Response, body: Buffer) => Promise<void> = async () => {},
): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      try {
        body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const record: ProxiedRequest = { path: req.url ?? '/', body, status: 0 };
      try {
        const response = await fetch(`${target()}${req.url ?? '/'}`, {
          method: req.method ?? 'POST',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json', ...headers(record) },
          ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: raw }),
        });
        const answer = Buffer.from(await response.arrayBuffer());
        await answered(response, answer);
        record.status = response.status;
        requests.push(record);
        res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
        res.end(answer);
      } catch {
        record.status = 502;
        requests.push(record);
        res.writeHead(502);
        res.end();
      }
    })();
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, requests, close: () => close(server) };
}

/** Polls `check` every 10 ms until it returns something truthy; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | null,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
