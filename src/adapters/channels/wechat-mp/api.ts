/**
 * The Service Account's HTTP API (built-in fetch): the `stable_token` access token, 客服消息 (text and
 * image), 模板消息 (template messages), temporary media (an owner's photo fetched, a local photo uploaded) and the custom menu. The base
 * address is configurable (WECHAT_MP_API_ROOT), so the channel runs against a local server in tests.
 *
 * The token is cached and fetched again five minutes before it expires (the platform hands out the next
 * one in that last stretch). A call refused for its token (40001, 42001, 40014) fetches it again, in the
 * normal mode, and is tried once more: the normal mode returns the newest token, also when someone else
 * forced a refresh. This client never forces one itself (that would invalidate the token of every other
 * system sharing the account, and is allowed 20 times a day). The secret and tokens never reach an error's
 * text; `ApiCallError` carries WeChat's errcode for {@link deliveryOf}.
 */
import type { Delivery } from '../../../core/ports/channels.js';

/** The platform's own address. */
export const DEFAULT_API_ROOT = 'https://api.weixin.qq.com';

/** A token is fetched again this long before it expires. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** errcodes that mean the access token was not accepted. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

/** A call WeChat answered with a non-zero errcode. */
export class ApiCallError extends Error {
  constructor(
    readonly path: string,
    readonly errcode: number,
    errmsg: string,
  ) {
    // errmsg carries a request id (rid) and never the token; the path never holds a query.
    super(`${path}: ${errcode} ${errmsg.slice(0, 200)}`);
    this.name = 'ApiCallError';
  }
}

/** The API could not be reached or answered with something other than its JSON (network, 5xx, a proxy). */
export class ApiTransportError extends Error {
  constructor(
    readonly path: string,
    readonly kind: 'timeout' | 'network' | 'http',
    detail: string,
  ) {
    super(`${path}: ${kind} ${detail}`);
    this.name = 'ApiTransportError';
  }
}

export interface MpApiOptions {
  appId: string;
  appSecret: string;
  /** WECHAT_MP_API_ROOT; the platform's address by default. */
  apiRoot?: string;
  now: () => Date;
  /** Per call; default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** WeChat's answer: errcode 0 (or absent) and the call's fields. */
type Answer = Record<string, unknown> & { errcode?: number; errmsg?: string };

/** A downloaded media file. */
export interface Media {
  bytes: Buffer;
  contentType: string;
}

/** One Service Account's API, with its access token. */
export class MpApi {
  private readonly root: string;
  private readonly fetch: typeof fetch;
  private cached?: { token: string; refreshAt: number };
  private fetching?: Promise<string>;
  /** stable_token calls made (for tests and the health of the token cache). */
  tokenFetches = 0;

  constructor(private readonly o: MpApiOptions) {
    this.root = (o.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, '');
    this.fetch = o.fetch ?? globalThis.fetch;
  }

  /** The access token, from the cache while it has more than five minutes left; one fetch at a time. */
  async token(): Promise<string> {
    const now = this.o.now().getTime();
    if (this.cached && now < this.cached.refreshAt) return this.cached.token;
    this.fetching ??= this.fetchToken().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private async fetchToken(): Promise<string> {
    this.tokenFetches += 1;
    const answer = await this.request('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.o.appId,
      secret: this.o.appSecret,
      force_refresh: false,
    });
    const token = answer.access_token;
    const expiresIn = Number(answer.expires_in);
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresIn)) {
      throw new ApiTransportError('/cgi-bin/stable_token', 'http', 'an answer without a token');
    }
    const lifetime = expiresIn * 1000;
    // A short-lived token (the platform's last five minutes) is used for half its life.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 2);
    this.cached = { token, refreshAt: this.o.now().getTime() + lifetime - margin };
    return token;
  }

  /** A call with the access token; a token refusal fetches the token again and tries once more. */
  private async call(path: string, body?: unknown, form?: () => FormData, query = ''): Promise<Answer> {
    const first = await this.token();
    try {
      return await this.request(path, body, form?.(), first, query);
    } catch (error) {
      if (!(error instanceof ApiCallError) || !TOKEN_ERRORS.has(error.errcode)) throw error;
      if (this.cached?.token === first) this.cached = undefined;
      // A form's body is a stream read once: the second try builds it again.
      return this.request(path, body, form?.(), await this.token(), query);
    }
  }

  private async request(path: string, body?: unknown, form?: FormData, token?: string, query = ''): Promise<Answer> {
    const response = await this.send(path, body, form, token, query);
    let answer: Answer;
    try {
      answer = (await response.json()) as Answer;
    } catch {
      throw new ApiTransportError(path, 'http', `HTTP ${response.status} without JSON`);
    }
    if (typeof answer !== 'object' || answer === null) throw new ApiTransportError(path, 'http', 'not an object');
    if (answer.errcode !== undefined && answer.errcode !== 0) {
      throw new ApiCallError(path, Number(answer.errcode), String(answer.errmsg ?? ''));
    }
    return answer;
  }

  private async send(path: string, body?: unknown, form?: FormData, token?: string, query = ''): Promise<Response> {
    const url = `${this.root}${path}?${token ? `access_token=${encodeURIComponent(token)}` : ''}${query}`;

    let response: Response;
    try {
      response = await this.fetch(url, {
        method: body === undefined && form === undefined ? 'GET' : 'POST',
        ...(form
          ? { body: form }
          : body !== undefined
            ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json; charset=utf-8' } }
            : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') throw new ApiTransportError(path, 'timeout', 'no answer');
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new ApiTransportError(path, 'network', typeof code === 'string' ? code : 'fetch failed');
    }
    if (response.status >= 500) throw new ApiTransportError(path, 'http', `HTTP ${response.status}`);
    return response;
  }

  /** 客服消息: a text to one follower. */
  async sendText(openId: string, content: string): Promise<void> {
    await this.call('/cgi-bin/message/custom/send', { touser: openId, msgtype: 'text', text: { content } });
  }

  /** 客服消息: an image (a media_id from {@link uploadImage}) to one follower. */
  async sendImage(openId: string, mediaId: string): Promise<void> {
    await this.call('/cgi-bin/message/custom/send', { touser: openId, msgtype: 'image', image: { media_id: mediaId } });
  }

  /**
   * 模板消息: a template message to one follower, sent whatever their reply window (the account's
   * notification form); returns its msgid. `url` is the page a tap opens, when the template has one.
   */
  async sendTemplate(
    openId: string,
    templateId: string,
    data: Record<string, { value: string }>,
    url?: string,
  ): Promise<string> {
    const answer = await this.call('/cgi-bin/message/template/send', {
      touser: openId,
      template_id: templateId,
      ...(url ? { url } : {}),
      data,
    });
    return String(answer.msgid ?? '');
  }

  /** Uploads an image as temporary media (kept 3 days by WeChat) and returns its media_id. */
  async uploadImage(bytes: Buffer, fileName: string, contentType: string): Promise<string> {
    const form = () => {
      const data = new FormData();
      data.append('media', new Blob([new Uint8Array(bytes)], { type: contentType }), fileName);
      return data;
    };
    const answer = await this.call('/cgi-bin/media/upload', undefined, form, '&type=image');
    const mediaId = answer.media_id;
    if (typeof mediaId !== 'string') throw new ApiTransportError('/cgi-bin/media/upload', 'http', 'no media_id');
    return mediaId;
  }

  /** Downloads temporary media (an owner's photo); WeChat answers JSON only for an error. */
  async downloadMedia(mediaId: string, maxBytes: number): Promise<Media> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const response = await this.send(
        '/cgi-bin/media/get',
        undefined,
        undefined,
        token,
        `&media_id=${encodeURIComponent(mediaId)}`,
      );
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (contentType === 'application/json' || contentType === 'text/plain') {
        const answer = (await response.json().catch(() => ({}))) as Answer;
        const errcode = Number(answer.errcode ?? -1);
        if (attempt === 0 && TOKEN_ERRORS.has(errcode)) {
          this.cached = undefined;
          continue;
        }
        throw new ApiCallError('/cgi-bin/media/get', errcode, String(answer.errmsg ?? 'not media'));
      }
      const size = Number(response.headers.get('content-length') ?? 0);
      if (size > maxBytes) throw new ApiTransportError('/cgi-bin/media/get', 'http', 'media too large');
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > maxBytes) throw new ApiTransportError('/cgi-bin/media/get', 'http', 'media too large');
      return { bytes, contentType };
    }
  }

  /** Replaces the account's custom menu. */
  async createMenu(menu: unknown): Promise<void> {
    await this.call('/cgi-bin/menu/create', menu);
  }

  /** Adds a conditional menu (one shown to followers matching its rule, e.g. their client's language). */
  async addConditionalMenu(menu: unknown): Promise<void> {
    await this.call('/cgi-bin/menu/addconditional', menu);
  }
}

/**
 * What a failed 客服消息 call means for the outbox (the errcodes of the customer-service and global
 * return-code pages): the window closed (45015) or its messages spent (45047) are rejections the outbox
 * can answer with a template; an unfollow (43004) makes the owner unreachable; no permission for the API
 * (48001), a server not on the IP allow-list (40164) or a wrong AppID/secret are the set-up's fault; the
 * platform busy (-1) is worth trying again.
 */
export function deliveryOf(error: unknown): Delivery {
  if (error instanceof ApiCallError) {
    const reason = `WeChat ${error.errcode}: ${error.message}`;
    switch (error.errcode) {
      case 45015:
        return { status: 'rejected', reason, window: 'closed' };
      case 45047:
        return { status: 'rejected', reason, window: 'quota' };
      case 43004:
      case 43019: // the follower blocked the account
        return { status: 'unreachable', reason };
      case 48001:
        return { status: 'misconfigured', reason: `${reason} (the account has no permission for 客服消息: verify it)` };
      case 40164:
        return { status: 'misconfigured', reason: `${reason} (add this server's address to the IP allow-list)` };
      case 40013:
      case 40125:
      case 41004:
        return { status: 'misconfigured', reason: `${reason} (check WECHAT_MP_APP_ID and WECHAT_MP_APP_SECRET)` };
      case 45009:
        return { status: 'rate_limited', retryAfterMs: 10 * 60_000, reason, scope: 'channel' };
      case 45011:
        return { status: 'rate_limited', retryAfterMs: 1000, reason, scope: 'channel' };
      case -1:
      case 40001:
      case 40014:
      case 42001:
        return { status: 'transient', reason };
      default:
        // A request WeChat refused for what it holds (45002 too long, 40007 media id, 47001 format …).
        return error.errcode >= 40000 && error.errcode < 50000
          ? { status: 'rejected', reason }
          : { status: 'transient', reason };
    }
  }
  if (error instanceof ApiTransportError) {
    return error.kind === 'timeout'
      ? { status: 'unknown', reason: error.message }
      : { status: 'transient', reason: error.message };
  }
  return { status: 'transient', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
