/**
 * The Bot API client (bot-api.ts) against a small HTTP server: JSON calls over kept-alive connections,
 * files as multipart, the Bot API's refusals as BotApiError (as classifyError reads them), answers that
 * are not JSON, timeouts, and the token kept out of every error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BotApiError, createBotApi } from '../../../../src/adapters/channels/telegram/bot-api.js';
import { classifyError } from '../../../../src/adapters/channels/telegram/outbound.js';

const TOKEN = '4242:secret-token';

let server: Server | undefined;
let connections = 0;
const calls: { url: string; contentType: string; body: Buffer }[] = [];

async function serve(answer: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<string> {
  connections = 0;
  calls.length = 0;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push({ url: req.url ?? '', contentType: String(req.headers['content-type']), body });
      answer(req, res, body);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  server = undefined;
});

describe('the Bot API client', () => {
  it('posts JSON to /bot<token>/<method>, returns the result, and keeps one connection for calls in turn', async () => {
    const root = await serve((_req, res, body) => json(res, 200, { ok: true, result: JSON.parse(body.toString()) }));
    const api = createBotApi({ token: TOKEN, apiRoot: root });
    for (let i = 0; i < 5; i++) {
      expect(await api.call('sendMessage', { chat_id: 7, text: `第${i}条`, skipped: undefined })).toEqual({
        chat_id: 7,
        text: `第${i}条`,
      });
    }
    expect(calls.map((c) => c.url)).toEqual(Array(5).fill(`/bot${TOKEN}/sendMessage`));
    expect(calls[0]?.contentType).toBe('application/json');
    expect(connections).toBe(1);
    api.close();
  });

  it("turns the Bot API's refusals into BotApiError, read by classifyError as before", async () => {
    const root = await serve((req, res) => {
      if (req.url?.endsWith('/sendMessage'))
        json(res, 429, {
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 3',
          parameters: { retry_after: 3 },
        });
      else json(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    });
    const api = createBotApi({ token: TOKEN, apiRoot: root });
    const limited = await api.call('sendMessage', { chat_id: 1, text: 'x' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(BotApiError);
    expect(classifyError(limited)).toMatchObject({ status: 'rate_limited', retryAfterMs: 3000 });
    const blocked = await api.call('editMessageText', { chat_id: 1, text: 'x' }).catch((e: unknown) => e);
    expect(classifyError(blocked)).toMatchObject({ status: 'unreachable' });
    api.close();
  });

  it('takes an answer that is not JSON (a proxy error page) as a refusal with its status', async () => {
    const root = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad Gateway</html>');
    });
    const api = createBotApi({ token: TOKEN, apiRoot: root });
    const error = await api.call('getMe', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotApiError);
    expect(classifyError(error)).toMatchObject({ status: 'transient' });
    expect((error as BotApiError).code).toBe(502);
    api.close();
  });

  it('gives up at the timeout with an outcome unknown, and never names the token', async () => {
    const root = await serve(() => {}); // never answers
    const api = createBotApi({ token: TOKEN, apiRoot: root });
    const error = await api.call('sendMessage', { chat_id: 1, text: 'x' }, { timeoutMs: 100 }).catch((e) => e);
    expect(classifyError(error, [TOKEN])).toMatchObject({ status: 'unknown' });
    expect(String((error as Error).message)).not.toContain('secret-token');
    api.close();

    // An answer that starts and then stalls is given up at the timeout too, as unknown.
    const stalling = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ok":true,');
    });
    const slow = createBotApi({ token: TOKEN, apiRoot: stalling });
    const started = Date.now();
    const stalled = await slow.call('sendMessage', { chat_id: 1, text: 'x' }, { timeoutMs: 100 }).catch((e) => e);
    expect((stalled as Error).name).toBe('TimeoutError');
    expect(classifyError(stalled, [TOKEN])).toMatchObject({ status: 'unknown' });
    expect(Date.now() - started).toBeLessThan(5000);
    slow.close();

    const closed = createBotApi({ token: TOKEN, apiRoot: 'http://127.0.0.1:9' });
    const refused = await closed.call('getMe', {}).catch((e: unknown) => e);
    const failure = classifyError(refused, [TOKEN]);
    expect(failure.status).toBe('transient');
    expect(JSON.stringify(failure)).not.toContain('secret-token');
    closed.close();
  });

  it('sends files as multipart: a photo as its own part, an album with attach:// references', async () => {
    const root = await serve((_req, res) => json(res, 200, { ok: true, result: [] }));
    const api = createBotApi({ token: TOKEN, apiRoot: root });
    const png = (n: number) => Buffer.from(`PNG-bytes-${n}`);
    await api.call('sendPhoto', { chat_id: 5, photo: { source: png(1), filename: '图1.png' }, caption: '说明' });
    await api.call('sendMediaGroup', {
      chat_id: 5,
      media: [1, 2, 3].map((n) => ({ type: 'photo', media: { source: png(n), filename: `${n}.png` } })),
    });
    const [photo, album] = calls;
    expect(photo?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(photo?.body.includes(png(1))).toBe(true);
    expect(photo?.body.toString('utf8')).toContain('说明');
    expect((album?.body.toString('latin1') ?? '').split('attach://').length - 1).toBe(3);
    for (const n of [1, 2, 3]) expect(album?.body.includes(png(n))).toBe(true);
    api.close();
  });
});
