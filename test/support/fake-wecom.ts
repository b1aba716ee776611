/**
 * A local stand-in for WeCom's smart-bot long connection (智能机器人长连接, wss://openws.work.weixin.qq.com),
 * for tests that run the real `@wecom/aibot-node-sdk` against it. It checks what WeCom checks, as its
 * documentation states:
 * - `aibot_subscribe` with the right bot_id and secret, else a non-zero errcode;
 * - `aibot_send_msg` only to a chat where someone has written to the bot (a message callback pushed
 *   there), only markdown or template_card (text: errcode 40008), a card with a task_id not used before;
 * - `aibot_respond_update_msg` only with the req_id of a template_card_event pushed less than 5 s ago,
 *   once per event, and the card's task_id unchanged;
 * - every request answered `{ headers: { req_id }, errcode, errmsg }`.
 * Tests push messages and clicks as WeCom would and read what the bot sent and updated.
 */
import { randomUUID } from 'node:crypto';
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

  /** The cards sent to a chat, oldest first. */
  cardsIn(chatid: string): FakeCard[] {
    return [...this.cards.values()].filter((c) => c.chatid === chatid);
  }

  private push(cmd: string, body: Record<string, unknown>, reqId = randomUUID()): void {
    if (!this.socket) throw new Error('no bot connected to the fake WeCom');
    this.socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, body }));
  }

  private answer(socket: WebSocket, reqId: string, errcode = 0, errmsg = 'ok'): void {
    socket.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg }));
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
      default:
        this.answer(socket, reqId, 40_058, `unknown cmd ${String(frame.cmd)}`);
    }
  }

  private onSend(socket: WebSocket, reqId: string, body: Record<string, unknown>): void {
    const chatid = String(body.chatid ?? '');
    if (!this.openChats.has(chatid)) return this.answer(socket, reqId, CHAT_NOT_OPEN, 'chat not available');
    const msgtype = String(body.msgtype ?? '');
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
