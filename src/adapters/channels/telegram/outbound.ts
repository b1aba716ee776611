/**
 * The pure half of the Telegram channel's sending side: Bot API errors as Delivery values, long texts
 * split to Telegram's limit, buttons as inline keyboards.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Delivery } from '../../../core/ports/channels.js';
import type { Button } from '../../../core/types.js';
import { BotApiError } from './bot-api.js';

/** Telegram's longest message text, in UTF-16 code units (what the Bot API counts). */
export const MAX_TEXT = 4096;
/** Telegram's longest callback data, in bytes. */
export const MAX_CALLBACK_BYTES = 64;
/** Photos per sendMediaGroup call. */
export const MAX_MEDIA_GROUP = 10;

/**
 * What a failed Bot API call means for the outbox:
 * 429 → wait `retry_after`; 403 → the chat is unreachable (blocked, bot removed); 400 "message is not
 * modified" → done; other 4xx → rejected (trying again cannot help), except 401 and 404 (the bot's token
 * or API root, not the message) and anything ≥ 500 and network errors → transient; a timeout → unknown
 * (the message may have gone). For the staff group the channel turns 403 and chat-level 400s into
 * configuration faults (see `isChatFault`).
 */
export function classifyError(error: unknown, secrets: readonly string[] = []): Delivery {
  if (error instanceof BotApiError) {
    const code = error.code;
    const description = typeof error.description === 'string' ? error.description : '';
    const reason = redact(`${code}: ${description}`, secrets).slice(0, 300);
    if (code === 429) {
      const seconds = Number(error.parameters?.retry_after);
      return {
        status: 'rate_limited',
        retryAfterMs: Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1000,
        reason,
      };
    }
    if (code === 403) return { status: 'unreachable', reason };
    if (code === 400 && /message is not modified/i.test(description)) return { status: 'sent' };
    if (code >= 400 && code < 500 && code !== 401 && code !== 404) {
      const migrated = error.parameters?.migrate_to_chat_id;
      return { status: 'rejected', reason: migrated ? `${reason} (the group is now chat ${migrated})` : reason };
    }
    return { status: 'transient', reason };
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  // Network errors name the URL they failed on: keep the API root (and whatever it holds) out of logs.
  const text = redact(`${name}: ${message}`, secrets).replace(/https?:\/\/\S+/g, '<Bot API URL>');
  // A call we gave up waiting for had reached Telegram, which may well have sent the message: its
  // outcome is unknown. A refused or reset connection went nowhere and is worth trying again.
  if (name === 'AbortError' || name === 'TimeoutError') return { status: 'unknown', reason: text.slice(0, 300) };
  return { status: 'transient', reason: text.slice(0, 300) };
}

/**
 * Whether a refusal of the staff group is about the group itself (the bot removed or muted, the id wrong,
 * the group moved to a supergroup) rather than about one message: then it is a configuration fault.
 */
export function isChatFault(failure: Delivery): boolean {
  if (failure.status === 'unreachable') return true;
  if (failure.status !== 'rejected') return false;
  return /chat not found|upgraded to a supergroup|now chat -?\d+|not enough rights|have no rights|need administrator|CHAT_WRITE_FORBIDDEN|CHAT_RESTRICTED|not a member|kicked|deactivated|PEER_ID_INVALID/i.test(
    failure.reason,
  );
}

/** A Delivery's reason, for a log line or an error message ('ok' when it was sent). */
export function reasonOf(d: Delivery): string {
  return d.status === 'sent' ? 'ok' : d.reason;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * Where to split a text into parts of at most `max` UTF-16 code units, as [start, end) ranges of the
 * text: at a blank line or line break in the last third of a part if there is one, else at a space,
 * else anywhere (never inside a surrogate pair). Line breaks at a cut are dropped.
 */
export function splitRanges(text: string, max = MAX_TEXT): [number, number][] {
  const ranges: [number, number][] = [];
  const floor = Math.floor(max * (2 / 3));
  let start = 0;
  while (text.length - start > max) {
    const window = text.slice(start, start + max);
    let cut = window.lastIndexOf('\n\n');
    if (cut < floor) cut = window.lastIndexOf('\n');
    if (cut < floor) cut = window.lastIndexOf(' ');
    let next: number;
    if (cut < floor) {
      cut = max;
      const code = text.charCodeAt(start + cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      next = start + cut;
    } else {
      next = start + cut + 1;
    }
    ranges.push([start, start + cut]);
    start = next;
    while (start < text.length && text[start] === '\n') start += 1;
  }
  if (start < text.length || ranges.length === 0) ranges.push([start, text.length]);
  return ranges;
}

/** A text split into parts Telegram accepts (see {@link splitRanges}). */
/** A Telegram message entity that names a user, so that they are notified. */
export interface TextMention {
  type: 'text_mention';
  offset: number;
  length: number;
  user: { id: number; is_bot: false; first_name: string };
}

/**
 * Text mentions for the people a text names as "@name": each mention covers the first "@name" not
 * already covered. Mentions whose name is not in the text, or whose user id is not a Telegram id, are
 * left out.
 */
export function textMentions(
  text: string,
  mentions: readonly { userId: string; name: string }[] | undefined,
): TextMention[] {
  const out: TextMention[] = [];
  for (const m of mentions ?? []) {
    const id = Number(m.userId);
    if (!Number.isSafeInteger(id) || id <= 0 || m.name === '') continue;
    const needle = `@${m.name}`;
    let at = text.indexOf(needle);
    while (at >= 0 && out.some((e) => at < e.offset + e.length && e.offset < at + needle.length)) {
      at = text.indexOf(needle, at + 1);
    }
    if (at < 0) continue;
    out.push({
      type: 'text_mention',
      offset: at,
      length: needle.length,
      user: { id, is_bot: false, first_name: m.name },
    });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The entities that fall wholly inside [start, end), with offsets relative to `start`. */
export function entitiesWithin<E extends { offset: number; length: number }>(
  entities: readonly E[],
  start: number,
  end: number,
): E[] {
  return entities
    .filter((e) => e.offset >= start && e.offset + e.length <= end)
    .map((e) => ({ ...e, offset: e.offset - start }));
}

/** Cuts a text to `max` code units with an ellipsis (for edits, which cannot be split). */
export function truncateText(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** Rows of buttons as an inline keyboard (empty rows dropped; no buttons gives an empty keyboard). */
export function inlineKeyboard(buttons: readonly (readonly Button[])[] | undefined): InlineKeyboardMarkup {
  return {
    inline_keyboard: (buttons ?? [])
      .filter((row) => row.length > 0)
      .map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))),
  };
}

/** Why Telegram would refuse these buttons, if it would. */
export function badButtons(buttons: readonly (readonly Button[])[] | undefined): string | undefined {
  for (const row of buttons ?? []) {
    for (const b of row) {
      if (b.label.trim() === '') return 'a button has no label';
      const bytes = Buffer.byteLength(b.data, 'utf8');
      if (bytes < 1 || bytes > MAX_CALLBACK_BYTES)
        return `callback data of ${bytes} bytes (Telegram takes 1 to ${MAX_CALLBACK_BYTES})`;
    }
  }
  return undefined;
}
