/**
 * The console channel: with no messaging platform configured, `npm start` is a chat in the terminal.
 *
 * You are an owner; choices are numbered; what would reach the staff group is printed in its own
 * labelled style. `/as staff` and `/as owner` switch sides so one person can try the whole loop. On the
 * staff side a number presses that button of the latest staff message shown with buttons (a card), as a
 * tap would in the group, and a line starting with `>` replies to that card (`> 接单`, `> 备注 …`, `> 您好 …`),
 * as a reply or a quote would. It reads piped input line by line too, so a script can drive it, and waits for
 * each reply before the next line.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Delivery } from '../../../core/ports/channels.js';
import type { StoredFile } from '../../../core/ports.js';
import type { Address, Button, Inbound, InboundContent, OutboundAction, OutboundMessage } from '../../../core/types.js';

export const CONSOLE_OWNER_CHAT = 'owner';
export const CONSOLE_STAFF_CHAT = 'staff';
export const CONSOLE_STAFF_ROOM: Address = { channel: 'console', chatId: CONSOLE_STAFF_CHAT };
/** The console's one staff member (`/as staff`). */
export const CONSOLE_STAFF_USER = 'console-staff';

type Side = 'owner' | 'staff';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Colour the output (a terminal). */
  color: boolean;
  /**
   * Handles one inbound message; the console waits for it. A result with `ack.text` (what a platform shows
   * the presser of a button alone: a refusal, a full phone number) is printed as such.
   */
  handle: (inbound: Inbound) => Promise<unknown>;
  /** Delivers whatever the message caused before the next line is read. */
  flush: () => Promise<void>;
  now: () => Date;
  /** Text of the banner printed at start (already localised). */
  banner?: string;
  /**
   * Where generated files (a report's charts, a workbook) are saved, their paths printed with the
   * message (a terminal shows no pictures); without it only their names are printed.
   */
  filesDir?: string;
}

const STYLE = { staff: '\x1b[35m', bot: '\x1b[36m', dim: '\x1b[2m', reset: '\x1b[0m' };

export class ConsoleChannel {
  readonly channel = 'console' as const;
  private side: Side = 'owner';
  private count = 0;
  private readonly runId = randomUUID().slice(0, 8);
  /**
   * The buttons of the latest staff message shown with buttons, its ref and the id it was sent under: what a
   * staff number presses and what a `>` line replies to.
   */
  private staffButtons: { ref?: string; messageId?: string; buttons: Button[] } = { buttons: [] };

  constructor(private readonly o: ConsoleOptions) {}

  private paint(style: keyof typeof STYLE, text: string): string {
    return this.o.color ? `${STYLE[style]}${text}${STYLE.reset}` : text;
  }

  private write(text: string): void {
    this.o.output.write(`${text}\n`);
  }

  /** Renders a message as the console shows it: text, then numbered choices. */
  render(message: OutboundMessage): string {
    const lines = [message.text];
    const buttons = message.buttons?.flat() ?? [];
    if (buttons.length > 0) lines.push(buttons.map((b, i) => `  ${i + 1}. ${b.label}`).join('\n'));
    if (message.photos?.length) lines.push(`  [📷 × ${message.photos.length}]`);
    return lines.join('\n');
  }

  /** The channel's outbound side, used by the dispatcher. */
  async deliver(
    chatId: string,
    action: OutboundAction,
    _target?: string,
    files?: ReadonlyMap<string, StoredFile>,
  ): Promise<Delivery> {
    if (action.kind === 'edit') {
      if (chatId === CONSOLE_STAFF_CHAT) this.noteStaffButtons(action);
      // Answered questions need no reprint in a terminal; a card that changed is printed again.
      if (action.ref.startsWith('prompt:')) return { status: 'sent' };
      this.print(chatId, this.render(action.message), true);
      return { status: 'sent' };
    }
    this.count += 1;
    const platformMessageId = `c${this.count}`;
    if (chatId === CONSOLE_STAFF_CHAT) this.noteStaffButtons(action, platformMessageId);
    const saved = await this.saveFiles(action.message, files);
    this.print(chatId, [this.render(action.message), ...saved].join('\n'), false);
    return { status: 'sent', platformMessageId };
  }

  /** Saves a message's generated files under `filesDir`; a line per file: its path, or its name when not saved. */
  private async saveFiles(message: OutboundMessage, files?: ReadonlyMap<string, StoredFile>): Promise<string[]> {
    const lines: string[] = [];
    for (const attachment of message.attachments ?? []) {
      const file = files?.get(attachment.fileId);
      if (!file || !this.o.filesDir) {
        lines.push(`  📎 ${attachment.name}`);
        continue;
      }
      await mkdir(this.o.filesDir, { recursive: true });
      const path = join(this.o.filesDir, `${this.runId}-${this.count}-${basename(attachment.name)}`);
      await writeFile(path, file.bytes);
      lines.push(`  📎 ${attachment.name} → ${path}`);
    }
    return lines;
  }

  /** What a platform would show only the presser of a button (a toast or an alert), labelled as such. */
  private printAck(result: unknown): void {
    const text = (result as { ack?: { text?: unknown } } | undefined)?.ack?.text;
    if (typeof text !== 'string' || text.trim() === '') return;
    const label = '[仅您可见 · only you see this]';
    this.write(this.paint(this.side === 'staff' ? 'staff' : 'bot', `${label} ${text.replace(/\n/g, '\n  ')}`));
    this.write('');
  }

  /** Keeps the buttons a staff number presses: a message with buttons, or a new state of that message. */
  private noteStaffButtons(action: OutboundAction, sentAs?: string): void {
    const buttons = action.message.buttons?.flat() ?? [];
    const ref = action.kind === 'edit' ? action.ref : action.message.ref;
    const same = ref !== undefined && ref === this.staffButtons.ref;
    const messageId = sentAs ?? (same ? this.staffButtons.messageId : undefined);
    if (buttons.length > 0)
      this.staffButtons = { ...(ref ? { ref } : {}), ...(messageId ? { messageId } : {}), buttons };
    else if (ref !== undefined && ref === this.staffButtons.ref) this.staffButtons = { buttons: [] };
  }

  private print(chatId: string, text: string, updated: boolean): void {
    if (chatId === CONSOLE_STAFF_CHAT) {
      const label = updated ? '[staff group · 员工群 · updated]' : '[staff group · 员工群]';
      this.write(this.paint('staff', `${label}\n${indent(text)}`));
    } else {
      this.write(this.paint('bot', `residesk › ${text.replace(/\n/g, '\n           ')}`));
    }
    this.write('');
  }

  /** Reads lines until the input ends; resolves when every line has been handled and answered. */
  async run(): Promise<void> {
    if (this.o.banner) this.write(this.paint('dim', this.o.banner));
    const rl = createInterface({ input: this.o.input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const raw of rl) {
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') continue;
      const switched = line.trim().match(/^\/as\s+(owner|staff)$/i);
      if (switched) {
        this.side = switched[1]?.toLowerCase() as Side;
        this.write(this.paint('dim', `— you are now ${this.side === 'owner' ? 'the owner · 业主' : 'staff · 员工'} —`));
        continue;
      }
      if (/^\/(quit|exit)$/i.test(line.trim())) break;
      if (!this.o.color) this.write(`${this.side === 'owner' ? 'owner' : 'staff'} › ${line}`);
      const reply = this.side === 'staff' ? line.match(/^\s*[>＞]\s*(.*)$/) : null;
      const content = reply ? { type: 'text' as const, text: reply[1] ?? '' } : this.contentOf(line);
      if (!content) continue;
      try {
        const inbound = this.inbound(content);
        // `> …` replies to the latest card; the staff desk finds its ticket as it does for a Telegram reply.
        const replyTo = reply ? this.staffButtons.messageId : undefined;
        const result = await this.o.handle(replyTo ? { ...inbound, replyTo } : inbound);
        this.printAck(result);
      } catch (error) {
        this.write(`(could not record that message: ${error instanceof Error ? error.message : String(error)})`);
      }
      await this.o.flush();
    }
    await this.o.flush();
  }

  /**
   * What a line says. On the staff side a number is a tap on a button of the latest card; a number with
   * no such button is answered here (undefined) instead of going unanswered.
   */
  private contentOf(line: string): InboundContent | undefined {
    const number = this.side === 'staff' ? line.trim().match(/^([0-9０-９]{1,2})[.。]?$/) : null;
    if (!number?.[1]) return { type: 'text', text: line };
    const index = Number(number[1].replace(/[０-９]/g, (d) => String(d.charCodeAt(0) - 0xff10)));
    const button = this.staffButtons.buttons[index - 1];
    if (button) return { type: 'button', data: button.data };
    const count = this.staffButtons.buttons.length;
    this.write(
      this.paint(
        'dim',
        count > 0
          ? `— 请回复 1 到 ${count} 之间的序号 · reply with a number from 1 to ${count} —`
          : '— 没有可点的按钮，请输入命令，如 /tickets · no buttons to press: type a command such as /tickets —',
      ),
    );
    this.write('');
    return undefined;
  }

  private inbound(content: InboundContent): Inbound {
    this.count += 1;
    const staff = this.side === 'staff';
    return {
      channel: 'console',
      chatId: staff ? CONSOLE_STAFF_CHAT : CONSOLE_OWNER_CHAT,
      chatKind: staff ? 'staff' : 'private',
      userId: staff ? CONSOLE_STAFF_USER : 'console-owner',
      userName: staff ? 'Console Staff' : 'Console Owner',
      messageId: `${this.runId}-${this.count}`,
      receivedAt: this.o.now(),
      content,
    };
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  │ ${l}`)
    .join('\n');
}
