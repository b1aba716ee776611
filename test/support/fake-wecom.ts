/**
 * A local stand-in for WeCom's smart-bot long connection (智能机器人长连接, wss://openws.work.weixin.qq.com),
 * for tests that run the real `@wecom/aibot-node-sdk` against it. It checks what WeCom checks, as its
 * documentation states:
 * - `aibot_subscribe` with the right bot_id and secret, else a non-zero errcode;
 * - `aibot_send_msg` only to a chat where someone has written to the bot (a message callback pushed
 *   there), only markdown or template_card (text: errcode 40008), a card with a task_id not used before;
 * - `aibot_respond_update_msg` only with the req_id of a template_card_event pushed less than 5 s ago,
 *   once per event, and the card's task_id unchanged;
 * - temporary media in three steps (`aibot_upload_media_init` → `_chunk` × N → `_finish`): a known type, a
 *   filename, chunks of at most 512 KB (before base64) numbered within the announced count, all of them
 *   there at finish, and the whole file's size and MD5 as announced, else a non-zero errcode;
 * - an `image` / `file` message (`aibot_send_msg`) naming the media_id of a finished upload of that type;
 * - every request answered `{ headers: { req_id }, errcode, errmsg }` (with a `body` where WeCom gives one).
 * Tests push messages and clicks as WeCom would and read what the bot sent and updated.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeCard {
  chatid: string;
  taskId: string;
  /** The card as it is now (after updates). */
  card: Record<string, unknown>;
  /** How many times it was updated in place. */
  updates: number;
}

export interface SentMessage {
  chatid: string;
  msgtype: string;
  body: Record<string, unknown>;
}

/** A file uploaded as temporary media (its bytes put together from the chunks). */
export interface UploadedMedia {
  mediaId: string;
  type: string;
  filename: string;
  bytes: Buffer;
}

/** The media types WeCom's upload accepts, and the largest chunk (before base64). */
const MEDIA_TYPES = new Set(['file', 'image', 'voice', 'video']);
const CHUNK_BYTES = 512 * 1024;

interface Frame {
  cmd?: string;
  headers?: { req_id?: string };
  body?: Record<string, unknown>;
}

/** WeCom's answer when a bot pushes to a chat nobody there has written to it in (stand-in code). */
export const CHAT_NOT_OPEN = 93_006;
export const AUTH_REFUSED = 40_001;

export class FakeWecom {
  readonly sent: SentMessage[] = [];
  readonly cards = new Map<string, FakeCard>();
  /** Updates refused, with why (for assertions). */
  readonly refusedUpdates: string[] = [];
  /** Chats where someone has written to the bot: the only ones it may push to. */
  readonly openChats = new Set<string>();
  /** Finished uploads, by media_id. */
  readonly media = new Map<string, UploadedMedia>();
  /** Uploads refused, with why (for assertions). */
  readonly refusedUploads: string[] = [];
  private readonly uploads = new Map<
    string,
    { type: string; filename: string; size: number; count: number; md5: string; chunks: Map<number, Buffer> }
  >();
  private readonly clicks = new Map<string, { taskId: string; at: number; used: boolean }>();
  private socket?: WebSocket;
  private readonly failures: { cmd: string; errcode: number | null }[] = [];
  private seq = 0;

  private constructor(
    private readonly server: WebSocketServer,
    private readonly bot: { botId: string; secret: string },
  ) {
    server.on('connection', (socket) => {
      socket.on('message', (data) => this.onFrame(socket, String(data)));
    });
  }

  static async start(bot: { botId: string; secret: string }): Promise<FakeWecom> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new FakeWecom(server, bot);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next request of this command is answered with this errcode (`null`: never answered). */
  failNext(cmd: string, errcode: number | null): void {
    this.failures.push({ cmd, errcode });
  }

  /** A message someone sends to the bot (in a group: one that @mentions it). Returns its msgid. */
  pushText(o: { chatid?: string; userid: string; text: string; msgid?: string; quote?: string }): string {
    const msgid = o.msgid ?? `msg${++this.seq}`;
    this.openChats.add(o.chatid ?? o.userid);
    this.push('aibot_msg_callback', {
      msgid,
      aibotid: this.bot.botId,
      ...(o.chatid ? { chatid: o.chatid, chattype: 'group' } : { chattype: 'single' }),
      from: { userid: o.userid },
      msgtype: 'text',
      text: { content: o.text },
      ...(o.quote ? { quote: { msgtype: 'text', text: { content: o.quote } } } : {}),
    });
    return msgid;
  }

  /** A click on a card's button (`key`), as template_card_event. Returns its msgid. */
  pushClick(o: {
    chatid?: string;
    userid: string;
    taskId: string;
    key: string;
    msgid?: string;
    selected?: { question: string; option: string };
  }): string {
    const msgid = o.msgid ?? `evt${++this.seq}`;
    const reqId = randomUUID();
    this.clicks.set(reqId, { taskId: o.taskId, at: Date.now(), used: false });
    this.push(
      'aibot_event_callback',
      {
        msgid,
        create_time: Math.floor(Date.now() / 1000),
        aibotid: this.bot.botId,
        ...(o.chatid ? { chatid: o.chatid, chattype: 'group' } : { chattype: 'single' }),
        from: { corpid: 'wwcorp', userid: o.userid },
        msgtype: 'event',
        event: {
          eventtype: 'template_card_event',
          template_card_event: {
            card_type: 'button_interaction',
            event_key: o.key,
            task_id: o.taskId,
            ...(o.selected
              ? {
                  selected_items: {
                    selected_item: [
                      { question_key: o.selected.question, option_ids: { option_id: [o.selected.option] } },
                    ],
                  },
                }
              : {}),
          },
        },
      },
      reqId,
    );
    return msgid;
  }

  /** The image or file messages sent to a chat, oldest first, with what was uploaded under their media_id. */
  mediaIn(chatid: string, msgtype?: 'image' | 'file'): UploadedMedia[] {
    return this.sent
      .filter((m) => m.chatid === chatid && (msgtype ? m.msgtype === msgtype : ['image', 'file'].includes(m.msgtype)))
      .map((m) => this.media.get(String((m.body[m.msgtype] as { media_id?: unknown }).media_id)))
      .filter((m): m is UploadedMedia => m !== undefined);
  }

  /** The cards sent to a chat, oldest first. */
  cardsIn(chatid: string): FakeCard[] {
    return [...this.cards.values()].filter((c) => c.chatid === chatid);
  }

  private push(cmd: string, body: Record<string, unknown>, reqId = randomUUID()): void {
    if (!this.socket) throw new Error('no bot connected to the fake WeCom');
    this.socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
  }

  private answer(socket: WebSocket, reqId: string, errcode = 0, errmsg = 'ok', body?: object): void {
    socket.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg, ...(body ? { body } : {}) }));
  }

  private onFrame(socket: WebSocket, raw: string): void {
    const frame = JSON.parse(raw) as Frame;
    const reqId = frame.headers?.req_id ?? '';
    const body = frame.body ?? {};
    const failure = this.failures.findIndex((f) => f.cmd === frame.cmd);
    if (failure >= 0 && frame.cmd !== 'aibot_subscribe') {
      const [f] = this.failures.splice(failure, 1);
      if (f?.errcode !== null) this.answer(socket, reqId, f?.errcode, 'scripted failure');
      return;
    }
    switch (frame.cmd) {
      case 'aibot_subscribe': {
        const ok = body.bot_id === this.bot.botId && body.secret === this.bot.secret;
        if (ok) this.socket = socket;
        this.answer(socket, reqId, ok ? 0 : AUTH_REFUSED, ok ? 'ok' : 'invalid secret');
        return;
      }
      case 'ping':
        this.answer(socket, reqId);
        return;
      case 'aibot_send_msg':
        this.onSend(socket, reqId, body);
        return;
      case 'aibot_respond_update_msg':
        this.onUpdate(socket, reqId, body);
        return;
      case 'aibot_upload_media_init':
      case 'aibot_upload_media_chunk':
      case 'aibot_upload_media_finish':
        this.onUpload(socket, reqId, frame.cmd, body);
        return;
      default:
        this.answer(socket, reqId, 40_058, `unknown cmd ${String(frame.cmd)}`);
    }
  }

  private onSend(socket: WebSocket, reqId: string, body: Record<string, unknown>): void {
    const chatid = String(body.chatid ?? '');
    if (!this.openChats.has(chatid)) return this.answer(socket, reqId, CHAT_NOT_OPEN, 'chat not available');
    const msgtype = String(body.msgtype ?? '');
    if (msgtype === 'image' || msgtype === 'file') {
      const media = this.media.get(String((body[msgtype] as { media_id?: unknown } | undefined)?.media_id ?? ''));
      if (!media || media.type !== msgtype) return this.answer(socket, reqId, 40_007, 'invalid media_id');
      this.sent.push({ chatid, msgtype, body });
      return this.answer(socket, reqId);
    }
    if (msgtype !== 'markdown' && msgtype !== 'template_card')
      return this.answer(socket, reqId, 40_008, 'invalid message type');
    if (msgtype === 'template_card') {
      const card = body.template_card as Record<string, unknown>;
      const taskId = String(card?.task_id ?? '');
      if (!/^[\w@-]{1,128}$/.test(taskId) || this.cards.has(taskId))
        return this.answer(socket, reqId, 40_058, 'invalid task_id');
      const buttons = card.button_list as unknown[] | undefined;
      if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > 6)
        return this.answer(socket, reqId, 40_058, 'invalid button_list');
      this.cards.set(taskId, { chatid, taskId, card, updates: 0 });
    }
    this.sent.push({ chatid, msgtype, body });
    this.answer(socket, reqId);
  }

  private onUpload(socket: WebSocket, reqId: string, cmd: string, body: Record<string, unknown>): void {
    const refuse = (why: string) => {
      this.refusedUploads.push(why);
      this.answer(socket, reqId, 40_058, why);
    };
    if (cmd === 'aibot_upload_media_init') {
      const type = String(body.type ?? '');
      const filename = String(body.filename ?? '');
      const size = Number(body.total_size);
      const count = Number(body.total_chunks);
      if (!MEDIA_TYPES.has(type)) return refuse(`invalid media type ${type}`);
      if (!filename) return refuse('no filename');
      if (!Number.isInteger(size) || size <= 0) return refuse('invalid total_size');
      if (count !== Math.ceil(size / CHUNK_BYTES) || count > 100) return refuse('invalid total_chunks');
      if (!/^[0-9a-f]{32}$/.test(String(body.md5 ?? ''))) return refuse('invalid md5');
      const uploadId = `upl${++this.seq}`;
      this.uploads.set(uploadId, { type, filename, size, count, md5: String(body.md5), chunks: new Map() });
      return this.answer(socket, reqId, 0, 'ok', { upload_id: uploadId });
    }
    const uploadId = String(body.upload_id ?? '');
    const upload = this.uploads.get(uploadId);
    if (!upload) return refuse('unknown upload_id');
    if (cmd === 'aibot_upload_media_chunk') {
      const index = Number(body.chunk_index);
      if (!Number.isInteger(index) || index < 0 || index >= upload.count) return refuse('invalid chunk_index');
      const chunk = Buffer.from(String(body.base64_data ?? ''), 'base64');
      if (chunk.length === 0 || chunk.length > CHUNK_BYTES) return refuse('invalid chunk size');
      upload.chunks.set(index, chunk);
      return this.answer(socket, reqId);
    }
    const parts = Array.from({ length: upload.count }, (_, i) => upload.chunks.get(i));
    if (parts.some((p) => p === undefined)) return refuse('chunks missing');
    const bytes = Buffer.concat(parts as Buffer[]);
    if (bytes.length !== upload.size) return refuse('size differs from total_size');
    if (createHash('md5').update(bytes).digest('hex') !== upload.md5) return refuse('md5 differs');
    this.uploads.delete(uploadId);
    const mediaId = `media${++this.seq}`;
    this.media.set(mediaId, { mediaId, type: upload.type, filename: upload.filename, bytes });
    this.answer(socket, reqId, 0, 'ok', { type: upload.type, media_id: mediaId, created_at: String(Date.now()) });
  }

  private onUpdate(socket: WebSocket, reqId: string, body: Record<string, unknown>): void {
    const click = this.clicks.get(reqId);
    const card = body.template_card as Record<string, unknown> | undefined;
    const refuse = (why: string) => {
      this.refusedUpdates.push(why);
      this.answer(socket, reqId, 40_058, why);
    };
    if (!click) return refuse('not the req_id of a card event');
    if (click.used) return refuse('event already answered');
    if (Date.now() - click.at > 5000) return refuse('more than 5 s after the event');
    if (body.response_type !== 'update_template_card' || !card) return refuse('not a card update');
    if (card.task_id !== click.taskId) return refuse('task_id changed');
    const kept = this.cards.get(click.taskId);
    if (!kept) return refuse('no such card');
    click.used = true;
    kept.card = card;
    kept.updates += 1;
    this.answer(socket, reqId);
  }
}
