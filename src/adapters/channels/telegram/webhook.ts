/**
 * Receiving Telegram updates by webhook: the HTTP server (the webhook path and the /healthz check),
 * setWebhook with a secret, and that secret's source. A request must carry the secret before anything
 * else is read; the webhook answers 200 only once the update is recorded (500 makes Telegram send it
 * again), with a button press's answer in the reply (see updates.ts). /healthz is 503 "degraded" while
 * the dispatcher reports faults (staff cards waiting).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DeliveryFault } from '../../../core/ports/channels.js';
import type { Store } from '../../../core/ports.js';
import { RepeatedWarning } from '../../../logger.js';
import type { ChannelContext, TelegramConfig } from './context.js';
import { ALLOWED_UPDATES, isUpdate, type TgUpdate } from './inbound.js';
import { classifyError, reasonOf } from './outbound.js';
import { TelegramStartupError } from './startup.js';
import type { WebhookCall } from './updates.js';

/** The store setting a generated webhook secret is kept under (shared by every process on the store). */
export const WEBHOOK_SECRET_SETTING = 'telegram.webhookSecret';
/** The header Telegram sends the webhook secret in. */
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * The webhook secret: TELEGRAM_WEBHOOK_SECRET, else the one kept in the store, else a new random one
 * (kept in the store, so a restart and every other process use the same).
 */
export async function webhookSecret(
  config: Pick<TelegramConfig, 'webhookSecret'>,
  store: Pick<Store, 'getSetting' | 'setSetting' | 'transaction'>,
): Promise<string> {
  if (config.webhookSecret) return config.webhookSecret;
  return store.transaction(async (tx) => {
    const kept = await tx.getSetting(WEBHOOK_SECRET_SETTING);
    if (kept) return kept;
    const secret = randomBytes(32).toString('base64url');
    await tx.setSetting(WEBHOOK_SECRET_SETTING, secret);
    return secret;
  });
}

/** What the webhook server asks of the channel. */
export interface WebhookHooks {
  /**
   * Runs one update; resolves with a Bot API call for the reply, if any (see updates.ts); rejects when it
   * was not recorded (the request then answers 500).
   */
  handle: (update: TgUpdate) => Promise<WebhookCall | undefined>;
  /** The dispatcher's current faults on this channel, shown on /healthz. */
  faults: () => readonly DeliveryFault[];
}

/** The webhook HTTP server and its registration with Telegram. */
export class WebhookServer {
  private server?: Server;
  /** Webhook requests without the right secret: one line a minute with the count, however many come. */
  private readonly refusedSecret: RepeatedWarning;
  /** Webhook requests whose sender hung up before the body arrived, counted the same way. */
  private readonly abortedUploads: RepeatedWarning;

  constructor(
    private readonly ctx: ChannelContext,
    private readonly hooks: WebhookHooks,
  ) {
    this.refusedSecret = new RepeatedWarning(ctx.o.log, 'webhook request without the right secret refused');
    this.abortedUploads = new RepeatedWarning(ctx.o.log, 'webhook request cut off before its body arrived');
  }

  /** Whether the server is up (from listening until `close`). */
  get listening(): boolean {
    return this.server !== undefined;
  }

  /** The port the server listens on (useful when configured as 0). */
  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  /** Listens on PORT and registers TELEGRAM_WEBHOOK_URL with setWebhook; closes again when that fails. */
  async start(): Promise<void> {
    const { o } = this.ctx;
    const url = new URL(o.config.webhookUrl ?? '');
    const path = url.pathname || '/';
    if (path === '/healthz') {
      throw new TelegramStartupError('TELEGRAM_WEBHOOK_FAILED', 'TELEGRAM_WEBHOOK_URL must not use the path /healthz');
    }
    const secret = await webhookSecret(o.config, o.store);
    const expected = digest(secret);
    const server = createServer((req, res) => {
      void this.onRequest(req, res, path, expected);
    });
    server.headersTimeout = 15_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.config.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw new TelegramStartupError(
        'TELEGRAM_WEBHOOK_FAILED',
        `could not listen on PORT ${o.config.port} for the Telegram webhook (${error instanceof Error ? error.message : String(error)})`,
      );
    });
    server.on('error', (error) => o.log.error({ err: error }, 'webhook server error'));
    this.server = server;
    try {
      await this.ctx.call(
        'setWebhook',
        { url: url.toString(), secret_token: secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
        15_000,
      );
    } catch (error) {
      await this.close();
      const failure = classifyError(error, [o.config.token, secret]);
      throw new TelegramStartupError(
        'TELEGRAM_WEBHOOK_FAILED',
        `Telegram did not accept TELEGRAM_WEBHOOK_URL as the webhook (${reasonOf(failure)})`,
      );
    }
  }

  /** Closes the server (idle connections at once) and logs the counted warnings not yet said. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    this.refusedSecret.flush();
    this.abortedUploads.flush();
  }

  /**
   * The webhook server: /healthz, and the webhook path, which checks the secret header before reading
   * anything else and answers 200 only once the update is recorded (500 makes Telegram send it again).
   */
  private async onRequest(req: IncomingMessage, res: ServerResponse, path: string, expected: Buffer): Promise<void> {
    try {
      const pathname = (req.url ?? '/').split('?')[0];
      if (pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const current = this.hooks.faults();
        if (current.length === 0) return reply(res, 200, 'ok');
        // Degraded, not down: owners are served, but staff cards wait until the group is fixed.
        const faults = current.map((f) => ({
          chat: f.chatId === this.ctx.staffChatId ? 'staff group' : 'chat',
          reason: f.reason,
          since: f.since.toISOString(),
          failures: f.failures,
        }));
        return reply(res, 503, JSON.stringify({ status: 'degraded', faults }));
      }
      if (pathname !== path) return reply(res, 404, 'not found', true);
      if (req.method !== 'POST') return reply(res, 405, 'method not allowed', true);
      const given = req.headers[SECRET_HEADER];
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
        this.refusedSecret.note({ header: given === undefined ? 'missing' : 'wrong' });
        return reply(res, 401, 'unauthorized', true);
      }
      const limit = this.ctx.o.maxBodyBytes ?? 1024 * 1024;
      if (Number(req.headers['content-length'] ?? 0) > limit) return reply(res, 413, 'too large', true);
      let body: Buffer;
      try {
        body = await readBody(req, limit);
      } catch (error) {
        if (error instanceof BodyTooLarge) return reply(res, 413, 'too large', true);
        if (req.destroyed || req.readableAborted) {
          // The sender hung up half way: nobody is left to answer, and nothing was received.
          this.abortedUploads.note();
          res.destroy();
          return;
        }
        throw error;
      }
      let update: unknown;
      try {
        update = JSON.parse(body.toString('utf8'));
      } catch {
        return reply(res, 400, 'bad json');
      }
      if (!isUpdate(update)) return reply(res, 400, 'not an update');
      let call: WebhookCall | undefined;
      try {
        call = await this.hooks.handle(update);
      } catch {
        return reply(res, 500, 'not recorded');
      }
      return call ? reply(res, 200, JSON.stringify(call), false, 'application/json') : reply(res, 200, '');
    } catch (error) {
      this.ctx.o.log.error({ err: error }, 'webhook request failed');
      if (!res.headersSent) reply(res, 500, 'error', true);
      else res.destroy();
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function reply(res: ServerResponse, status: number, body: string, close = false, type = 'text/plain'): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}
