/**
 * A local stand-in for WeChat's Service Account platform, for tests: the API side (stable_token, 客服消息,
 * 模板消息, temporary media, the menu) checks what the real one checks — the AppID and secret, the token and
 * its expiry (40001, 42001), an unfollowed owner (43004), the reply windows (a message opens 5 messages in
 * 48 hours, a follow, scan or menu click 3 in a minute: 45015 when none is open, 45047 when they are
 * spent), and for a template message a template id the account added (40037), fields filled and within
 * their type's length (47003), whatever the window — on the test's clock; and the push side posts callbacks to the channel as WeChat does: signed,
 * and in safe mode encrypted with the EncodingAESKey and AppID (through `@wecom/crypto`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { encrypt, getSignature } from '@wecom/crypto';

export interface FakeMpOptions {
  appId: string;
  appSecret: string;
  /** The callback's token, and the EncodingAESKey for safe mode (plain mode without it). */
  token: string;
  aesKey?: string;
  now: () => Date;
  /** Token lifetime in seconds; default 7200. */
  tokenLifetimeSec?: number;
  /** The template ids the account has added (我的模板); none by default. */
  templates?: string[];
}

/** One template message the fake accepted. */
export interface TemplateMessage {
  touser: string;
  templateId: string;
  data: Record<string, string>;
  url?: string;
}

/** The longest value per template field type, as the platform checks it. */
const FIELD_LIMITS: Record<string, number> = { thing: 20, character_string: 32, phrase: 5, name: 10, time: 30 };

/** An image uploaded as temporary media (/cgi-bin/media/upload), as the multipart body carried it. */
export interface UploadedImage {
  mediaId: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** What temporary media of type image may be (临时素材: 10 MB, PNG/JPEG/JPG/GIF). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif']);
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** One 客服消息 the fake accepted. */
export interface KfMessage {
  touser: string;
  msgtype: string;
  text?: string;
  mediaId?: string;
}

interface Window {
  at: number;
  used: number;
}

const WINDOWS = { message: { lastsMs: 48 * 3_600_000, max: 5 }, event: { lastsMs: 60_000, max: 3 } } as const;

export class FakeWechatMp {
  readonly sent: KfMessage[] = [];
  readonly templatesSent: TemplateMessage[] = [];
  /** Images uploaded, in order. */
  readonly uploads: UploadedImage[] = [];
  /** Every call answered with a non-zero errcode, in order. */
  readonly refusals: { path: string; errcode: number }[] = [];
  private readonly templateIds: Set<string>;
  readonly menus: { conditional: boolean; body: Record<string, unknown> }[] = [];
  /** Every API call's path, in order (without the query). */
  readonly calls: string[] = [];
  tokenFetches = 0;
  private server?: Server;
  private tokens = new Map<string, number>();
  private current?: string;
  private serial = 0;
  private readonly windows = new Map<string, { message?: Window; event?: Window }>();
  private readonly unfollowed = new Set<string>();
  private readonly media = new Map<string, { bytes: Buffer; type: string }>();
  private readonly failures: number[] = [];
  private createTime = 1_700_000_000;
  private msgId = 6_054_768_590_064_713_728n;

  constructor(private readonly o: FakeMpOptions) {
    this.templateIds = new Set(o.templates ?? []);
  }

  /** Starts the API on a free local port and returns its base address. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.route(req).then(
        ({ status = 200, body, type = 'application/json' }) => {
          res.writeHead(status, { 'content-type': type });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  // ── what a test arranges ──────────────────────────────────────────────────

  /** Every token issued so far stops working (as at expiry: 42001). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** The next API calls answer these errcodes, in order. */
  failNext(...errcodes: number[]): void {
    this.failures.push(...errcodes);
  }

  /** An image the follower sent, for /cgi-bin/media/get. */
  addMedia(mediaId: string, bytes: Buffer, type = 'image/jpeg'): void {
    this.media.set(mediaId, { bytes, type });
  }

  /** The account adds a template (我的模板 → 添加). */
  addTemplate(templateId: string): void {
    this.templateIds.add(templateId);
  }

  /** The template messages sent to one follower. */
  templatesTo(openId: string): TemplateMessage[] {
    return this.templatesSent.filter((m) => m.touser === openId);
  }

  /** The images sent to one follower (image 客服消息), as uploaded under the media_id each names. */
  imagesTo(openId: string): UploadedImage[] {
    return this.sent
      .filter((m) => m.touser === openId && m.msgtype === 'image')
      .map((m) => this.uploads.find((u) => u.mediaId === m.mediaId))
      .filter((u): u is UploadedImage => u !== undefined);
  }

  /** The messages sent to one follower, as text. */
  textsTo(openId: string): string[] {
    return this.sent.filter((m) => m.touser === openId && m.msgtype === 'text').map((m) => m.text ?? '');
  }

  // ── the push side: callbacks to the channel ───────────────────────────────

  /** A new MsgId (64-bit, as WeChat's). */
  nextMsgId(): string {
    this.msgId += 1n;
    return String(this.msgId);
  }

  /** The XML of a message from a follower; `fields` after the common ones (MsgType, Content …). */
  xml(openId: string, fields: Record<string, string>, createTime = this.tick()): string {
    const all: Record<string, string> = {
      ToUserName: 'gh_7f083739789a',
      FromUserName: openId,
      CreateTime: String(createTime),
      ...fields,
    };
    const inner = Object.entries(all)
      .map(([k, v]) => (k === 'CreateTime' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`))
      .join('');
    return `<xml>${inner}</xml>`;
  }

  /** A CreateTime one second after the last (events of distinct seconds unless a test says otherwise). */
  tick(): number {
    this.createTime += 1;
    return this.createTime;
  }

  /**
   * Posts a callback to the channel as WeChat does — signed, encrypted in safe mode (with `appId`, ours by
   * default) — and opens the reply window the action opens. Returns the channel's answer.
   */
  async push(
    callbackUrl: string,
    xml: string,
    opts: { appId?: string; aesKey?: string; signWith?: string } = {},
  ): Promise<{ status: number; body: string }> {
    this.openWindowFor(xml);
    const timestamp = String(Math.floor(this.o.now().getTime() / 1000));
    const nonce = String(100_000 + (this.serial++ % 900_000));
    const token = opts.signWith ?? this.o.token;
    const query = new URLSearchParams({ timestamp, nonce, signature: getSignature(token, timestamp, nonce, '') });
    let body = xml;
    const aesKey = opts.aesKey ?? this.o.aesKey;
    if (aesKey) {
      const ciphered = encrypt(aesKey, xml, opts.appId ?? this.o.appId);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', getSignature(token, timestamp, nonce, ciphered));
      body = `<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName><Encrypt><![CDATA[${ciphered}]]></Encrypt></xml>`;
    }
    const response = await fetch(`${callbackUrl}?${query}`, { method: 'POST', body });
    return { status: response.status, body: await response.text() };
  }

  private openWindowFor(xml: string): void {
    const from = /<FromUserName><!\[CDATA\[(.*?)\]\]>/.exec(xml)?.[1];
    const type = /<MsgType><!\[CDATA\[(.*?)\]\]>/.exec(xml)?.[1];
    const event = /<Event><!\[CDATA\[(.*?)\]\]>/.exec(xml)?.[1]?.toLowerCase();
    if (!from || !type) return;
    const now = this.o.now().getTime();
    const w = this.windows.get(from) ?? {};
    if (type !== 'event') w.message = { at: now, used: 0 };
    else if (event === 'subscribe' || event === 'scan' || event === 'click') w.event = { at: now, used: 0 };
    if (event === 'subscribe') this.unfollowed.delete(from);
    if (event === 'unsubscribe') this.unfollowed.add(from);
    this.windows.set(from, w);
  }

  // ── the API side ──────────────────────────────────────────────────────────

  private async route(req: IncomingMessage): Promise<{ status?: number; body: string | Buffer; type?: string }> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.calls.push(url.pathname);
    const raw = await readAll(req);
    const json = (value: unknown) => ({ body: JSON.stringify(value) });
    const error = (errcode: number, errmsg = `fake error ${errcode}`) => {
      this.refusals.push({ path: url.pathname, errcode });
      return json({ errcode, errmsg: `${errmsg} rid: x` });
    };
    if (url.pathname === '/cgi-bin/stable_token') {
      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (body.grant_type !== 'client_credential') return error(40002, 'invalid grant_type');
      if (body.appid !== this.o.appId) return error(40013, 'invalid appid');
      if (body.secret !== this.o.appSecret) return error(40125, 'invalid appsecret');
      return json(this.issueToken());
    }
    const failure = this.failures.shift();
    if (failure !== undefined) return error(failure);
    const token = url.searchParams.get('access_token') ?? '';
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return error(40001, 'invalid credential, access_token is invalid or not latest');
    if (expiresAt <= this.o.now().getTime()) return error(42001, 'access_token expired');
    switch (url.pathname) {
      case '/cgi-bin/message/custom/send':
        return this.customSend(JSON.parse(raw.toString('utf8')) as Record<string, unknown>, error, json);
      case '/cgi-bin/message/template/send':
        return this.templateSend(JSON.parse(raw.toString('utf8')) as Record<string, unknown>, error, json);
      case '/cgi-bin/menu/create':
      case '/cgi-bin/menu/addconditional': {
        const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        const buttons = body.button;
        if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 3)
          return error(40017, 'invalid button size');
        const conditional = url.pathname.endsWith('addconditional');
        if (conditional && typeof body.matchrule !== 'object') return error(65303, 'no matchrule');
        this.menus.push({ conditional, body });
        return json(conditional ? { menuid: String(this.menus.length) } : { errcode: 0, errmsg: 'ok' });
      }
      case '/cgi-bin/media/get': {
        const media = this.media.get(url.searchParams.get('media_id') ?? '');
        if (!media) return error(40007, 'invalid media_id');
        return { body: media.bytes, type: media.type };
      }
      case '/cgi-bin/media/upload': {
        if (url.searchParams.get('type') !== 'image') return error(40004, 'invalid media type');
        const form = await new Response(new Uint8Array(raw), {
          headers: { 'content-type': req.headers['content-type'] ?? '' },
        }).formData();
        const file = form.get('media');
        if (!(file instanceof File) || file.size === 0) return error(41005, 'media data missing');
        if (!IMAGE_TYPES.has(file.type) || !/\.(png|jpe?g|gif)$/i.test(file.name))
          return error(40005, 'invalid file type');
        if (file.size > MAX_IMAGE_BYTES) return error(40006, 'invalid meida size');
        const mediaId = `up-${this.media.size + 1}`;
        const bytes = Buffer.from(await file.arrayBuffer());
        this.media.set(mediaId, { bytes, type: file.type });
        this.uploads.push({ mediaId, fileName: file.name, contentType: file.type, bytes });
        return json({ type: 'image', media_id: mediaId, created_at: Math.floor(this.o.now().getTime() / 1000) });
      }
      default:
        return { status: 404, body: 'not found', type: 'text/plain' };
    }
  }

  private issueToken(): { access_token: string; expires_in: number } {
    const now = this.o.now().getTime();
    const lifetimeMs = (this.o.tokenLifetimeSec ?? 7200) * 1000;
    const at = this.current ? this.tokens.get(this.current) : undefined;
    // The normal mode: the same token while it has more than five minutes left.
    if (this.current && at !== undefined && at - now > 300_000) {
      this.tokenFetches += 1;
      return { access_token: this.current, expires_in: Math.floor((at - now) / 1000) };
    }
    this.tokenFetches += 1;
    this.current = `token-${this.tokenFetches}-${'x'.repeat(100)}`;
    this.tokens.set(this.current, now + lifetimeMs);
    return { access_token: this.current, expires_in: lifetimeMs / 1000 };
  }

  private templateSend(
    body: Record<string, unknown>,
    error: (code: number, msg?: string) => { body: string },
    json: (v: unknown) => { body: string },
  ) {
    const touser = String(body.touser ?? '');
    const templateId = String(body.template_id ?? '');
    if (!this.templateIds.has(templateId)) return error(40037, 'invalid template_id');
    if (this.unfollowed.has(touser) || touser === '') return error(43004, 'require subscribe');
    const raw = body.data;
    if (typeof raw !== 'object' || raw === null || Object.keys(raw).length === 0)
      return error(47003, 'argument invalid! data is empty');
    const data: Record<string, string> = {};
    for (const [field, entry] of Object.entries(raw as Record<string, { value?: unknown }>)) {
      const value = entry?.value;
      if (typeof value !== 'string' || value === '') return error(47003, `argument invalid! data.${field}.value empty`);
      const type = field.replace(/\d+$/, '');
      if ([...value].length > (FIELD_LIMITS[type] ?? 20))
        return error(47003, `argument invalid! data.${field}.value exceeds limit`);
      data[field] = value;
    }
    const url = typeof body.url === 'string' ? body.url : undefined;
    this.templatesSent.push({ touser, templateId, data, ...(url ? { url } : {}) });
    return json({ errcode: 0, errmsg: 'ok', msgid: 200_000_000 + this.templatesSent.length });
  }

  private customSend(
    body: Record<string, unknown>,
    error: (code: number, msg?: string) => { body: string },
    json: (v: unknown) => { body: string },
  ) {
    const touser = String(body.touser ?? '');
    const msgtype = String(body.msgtype ?? '');
    const text = (body.text as { content?: unknown } | undefined)?.content;
    const mediaId = (body.image as { media_id?: unknown } | undefined)?.media_id;
    if (msgtype === 'text' && (typeof text !== 'string' || text === '')) return error(44002, 'empty post data');
    if (msgtype === 'image' && !this.media.has(String(mediaId))) return error(40007, 'invalid media_id');
    if (msgtype !== 'text' && msgtype !== 'image') return error(40008, 'invalid message type');
    if (this.unfollowed.has(touser)) return error(43004, 'require subscribe');
    const now = this.o.now().getTime();
    const w = this.windows.get(touser) ?? {};
    const open = (['event', 'message'] as const).filter((k) => {
      const win = w[k];
      return win !== undefined && now - win.at < WINDOWS[k].lastsMs;
    });
    if (open.length === 0) return error(45015, 'response out of time limit or subscription is canceled');
    const spend = open.find((k) => (w[k]?.used ?? 0) < WINDOWS[k].max);
    if (spend === undefined) return error(45047, 'out of response count limit');
    const win = w[spend];
    if (win) win.used += 1;
    this.sent.push({
      touser,
      msgtype,
      ...(typeof text === 'string' ? { text } : {}),
      ...(mediaId !== undefined ? { mediaId: String(mediaId) } : {}),
    });
    return json({ errcode: 0, errmsg: 'ok' });
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
