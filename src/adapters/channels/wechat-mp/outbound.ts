/**
 * The Service Account's sending side, pure: what the channel may send (no buttons, no edits), a message
 * as 客服消息 texts (choices as numbered lines, shared with personal WeChat; long texts split), and the
 * reply windows each chat opened — kept so that the outbox can tell a message that would be refused
 * (45015, 45047) before it is sent (see ChannelCapabilities and ReplyWindowState in the channels port).
 */
import type { ChannelCapabilities, ReplyWindowState } from '../../../core/ports/channels.js';
import type { OutboundAction, OutboundMessage } from '../../../core/types.js';
import { withFileNames } from '../shared/attachments.js';
import { localPhotoPath, renderText, splitText } from '../shared/plain-text.js';

/**
 * The longest text sent as one 客服消息, in UTF-16 code units: WeChat counts the text in bytes (about 2 kB
 * is safe), and 600 units are at most 1,800 bytes of UTF-8, whatever the script.
 */
export const MP_MAX_TEXT = 600;

const HOUR = 3_600_000;

/** What the Service Account may send, and when (客服消息下发规则). */
export const MP_CAPABILITIES: ChannelCapabilities = Object.freeze({
  buttons: false,
  edit: false,
  maxTextLength: MP_MAX_TEXT,
  // 客服消息 carry images (uploaded as temporary media) but no files: a workbook is named in the text.
  files: Object.freeze({ images: true, documents: false, album: false }),
  replyWindows: Object.freeze([
    Object.freeze({ opensOn: 'message' as const, lastsMs: 48 * HOUR, maxMessages: 5 }),
    Object.freeze({ opensOn: 'event' as const, lastsMs: 60_000, maxMessages: 3 }),
  ]),
});

/** A message as the texts sent for it, in order (each one counts against the reply window). */
export function textsOf(message: Pick<OutboundMessage, 'text' | 'buttons'>): string[] {
  return splitText(renderText(message), MP_MAX_TEXT).filter((part) => part.trim() !== '');
}

/**
 * How many 客服消息 delivering an action takes: each photo of ours (under `dataDir`), each generated image
 * (an image message of its own) and each part of the text with the documents named in it; none for
 * closing an answered question (nothing to close in a chat without buttons). An image whose bytes are
 * gone by delivery is named in the text instead: counted as a message all the same, which errs on the
 * side of the window.
 */
export function partsOf(action: OutboundAction, dataDir: string): number {
  if (isClosingEdit(action)) return 0;
  const { message } = action;
  const photos = (message.photos ?? []).filter((photo) => localPhotoPath(photo, dataDir) !== undefined);
  const attachments = message.attachments ?? [];
  const images = attachments.filter((a) => a.kind === 'image');
  const text = withFileNames(
    message.text,
    attachments.filter((a) => a.kind !== 'image'),
  );
  return photos.length + images.length + textsOf({ ...message, text }).length;
}

/** The content type of a photo of ours, by its file's extension. */
export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return ext === 'png' ? 'image/png' : ext === 'gif' ? 'image/gif' : 'image/jpeg';
}

/** An edit that only closes an answered question (takes its buttons off): skipped where there are none. */
export function isClosingEdit(action: OutboundAction): boolean {
  return action.kind === 'edit' && action.ref.startsWith('prompt:');
}

/** Chats kept before those idle past the longest window are forgotten. */
const KEEP = 10_000;

/**
 * The reply windows this process saw open, per chat: the person's last message and last event, and how
 * many messages went out since each. Memory only (a restart forgets; the outbox then reads the chat's log).
 */
export class ReplyWindows {
  private readonly chats = new Map<string, ReplyWindowState>();

  /** The person did something that opens a window at `at`. */
  opened(chatId: string, kind: 'message' | 'event', at: Date): void {
    const state = this.chats.get(chatId) ?? { sentSinceMessage: 0, sentSinceEvent: 0 };
    if (kind === 'message') {
      state.lastMessageAt = at;
      state.sentSinceMessage = 0;
    } else {
      state.lastEventAt = at;
      state.sentSinceEvent = 0;
    }
    this.chats.delete(chatId);
    this.chats.set(chatId, state);
    if (this.chats.size > KEEP) this.forgetIdle(at.getTime());
  }

  /** `count` messages were delivered to the chat. */
  sent(chatId: string, count: number): void {
    const state = this.chats.get(chatId);
    if (!state) return;
    state.sentSinceMessage += count;
    state.sentSinceEvent += count;
  }

  /** A copy of what is known of the chat, or undefined when it opened nothing since the start. */
  state(chatId: string): ReplyWindowState | undefined {
    const state = this.chats.get(chatId);
    return state ? { ...state } : undefined;
  }

  private forgetIdle(now: number): void {
    for (const [chatId, s] of this.chats) {
      const last = Math.max(s.lastMessageAt?.getTime() ?? 0, s.lastEventAt?.getTime() ?? 0);
      if (now - last > 48 * HOUR) this.chats.delete(chatId);
      else break; // insertion order: the rest are newer
    }
  }
}
