/**
 * Domain types shared by the core, the application layer and every adapter.
 * Nothing here knows about a messaging platform or a database.
 */

/** The messaging channels residesk speaks on. */
export const CHANNELS = ['console', 'telegram', 'wechat', 'wecom', 'wechat_mp'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The languages every owner-facing text exists in. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A text looked up by its locale key in the reader's language, with its placeholders filled. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The colon between a label and its value: full width in Chinese, `: ` in English. */
export function labelColon(locale: Locale): string {
  return locale === 'zh-CN' ? '：' : ': ';
}

/** Where a chat sits: an owner's private chat, the staff group, or some other group we ignore. */
export type ChatKind = 'private' | 'staff' | 'group';

/** What kind of thing arrived that residesk cannot use as an answer. */
export type UnsupportedKind = 'sticker' | 'voice' | 'video' | 'document' | 'location' | 'contact' | 'other';

/** The content of one incoming message, normalised from any platform. */
export type InboundContent =
  | { type: 'text'; text: string }
  /** A button press. `data` is a claim: it is checked against the conversation's current step. */
  | { type: 'button'; data: string }
  | { type: 'photo'; fileRef: string; caption?: string }
  | { type: 'unsupported'; what: UnsupportedKind };

/** One incoming message or button press, as every channel adapter hands it to the application. */
export interface Inbound {
  channel: Channel;
  /** The platform's id of the chat (a private chat or a group). */
  chatId: string;
  chatKind: ChatKind;
  /** The platform's id of the person who sent it. */
  userId: string;
  /** The name the platform shows for the sender (never logged above debug). */
  userName?: string;
  /** The sender's interface language as the platform reports it (e.g. Telegram's language_code). */
  languageCode?: string;
  /** Unique per channel: the key inbound dedupe uses (Telegram update_id, WeChat message id …). */
  messageId: string;
  /** The platform id of the message this one replies to, if any (staff replying to a card). */
  replyTo?: string;
  /**
   * The ticket number the message quotes, where the channel reads it from the quote itself (WeChat quotes
   * carry the quoted text, not its id). The staff desk decides what a quote plus text means.
   */
  quotedTicket?: string;
  /**
   * The 咨询 or 转人工 item (`Q001`) the message quotes, read from the quote in the same way: an answer to
   * the owner who asked (app/owner/front-door.ts), never a ticket's.
   */
  quotedItem?: string;
  /** For button presses: the platform message that carried the button (so it can be edited). */
  sourceMessage?: string;
  receivedAt: Date;
  content: InboundContent;
}

/** A button offered with a message. `data` is short: it must fit Telegram's 64-byte callback limit. */
export interface Button {
  label: string;
  data: string;
}

/** A message for one chat, already rendered in the reader's language. */
export interface OutboundMessage {
  text: string;
  /** Rows of buttons; channels without buttons render them as a numbered list. */
  buttons?: Button[][];
  /** Photos to send with the message (platform file references). */
  photos?: string[];
  /**
   * Files the bot made (a report's charts, a workbook), kept in the store's file store until delivered
   * (core/ports/files.ts): sent before the text, several images as one album where the channel has albums.
   */
  attachments?: OutboundAttachment[];
  /**
   * A stable name for the message the platform will assign an id to, so that it can be edited later
   * (e.g. `card:T261128-0007`, `prompt:12`).
   */
  ref?: string;
  /** The ref of an earlier message (e.g. a ticket's card) this one replies to, where the platform threads replies. */
  replyToRef?: string;
  /** People the text names with "@name", so platforms that can notify them do (Telegram text mentions). */
  mentions?: { userId: string; name: string }[];
  /**
   * What an owner-bound message is for, where the service reaches out on its own (a ticket's progress, a
   * revisit, a survey, a notice): a channel whose free-form reply window has closed sends its notification
   * form for this kind instead (WeChat Service Account: a template message), or staff are asked to phone.
   */
  purpose?: MessagePurpose;
}

/** The kinds of message the service sends on its own initiative (issue 18: one notification form each). */
export const PURPOSE_KINDS = ['ticket_progress', 'revisit_invitation', 'survey_invitation', 'notice'] as const;

/** See {@link OutboundMessage.purpose}. */
export interface MessagePurpose {
  kind: (typeof PURPOSE_KINDS)[number];
  /** What it is about, as staff and owners know it: a ticket's number, a notice's or a survey's reference. */
  ref: string;
  /** A few words naming it (a ticket's category, a notice's title, a survey's name), for a notification. */
  title?: string;
}

/** A generated file sent with a message: the store's file id and the name it is shown under. */
export interface OutboundAttachment {
  kind: 'image' | 'document';
  /** The id of the bytes in the file store (FileStore.saveFile). */
  fileId: string;
  /** The file's name as people see it (`工单-2026-11.xlsx`, `chart-1.png`). */
  name: string;
  caption?: string;
}

/** What the dispatcher does with one outbox row. */
export type OutboundAction =
  /**
   * Send a message. `closes` is an edit that takes the buttons off the question this message follows (a
   * closing edit, see app/context.ts isClosingEdit) and goes with it: made right after this message is
   * sent, on allowance the chat has to spare, or else queued on its own (see the dispatcher). Channels
   * ignore it when they deliver the message itself.
   */
  | { kind: 'send'; message: OutboundMessage; closes?: ClosingEdit }
  /** Edit a message sent earlier under `ref`: replace its text and buttons (no buttons removes them). */
  | { kind: 'edit'; ref: string; message: OutboundMessage };

/** An edit that only closes an answered question: its `prompt:` message shown again without buttons. */
export interface ClosingEdit {
  ref: string;
  message: OutboundMessage;
}

/** A destination for outbound messages. */
export interface Address {
  channel: Channel;
  chatId: string;
}

/** Ticket kinds, as the owner chooses them. */
export const TICKET_KINDS = ['repair', 'complaint', 'suggestion'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

/**
 * Where a complaint reached the service centre (domain.md: phone, the counter, a guard or a cleaner passing
 * it on, a letter …; the bot is one more channel). A ticket staff entered for an owner (代客登记) names one;
 * a ticket without one came through the chat.
 */
export const TICKET_SOURCES = ['chat', 'phone', 'counter', 'relay', 'letter', 'other'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

/** The category taxonomy for property services. */
export const CATEGORIES = [
  'water_power',
  'public_facilities',
  'lift',
  'access_control',
  'fire_equipment',
  'heating',
  'leaks_fabric',
  'cleaning',
  'greening',
  'security',
  'parking',
  'fees',
  'noise_renovation',
  'neighbours_pets',
  'deliveries_visitors',
  'activities',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const URGENCIES = ['emergency', 'urgent', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Who must put a problem right (domain.md: responsibility matters as much as category). */
export const RESPONSIBILITIES = ['property', 'developer', 'utility', 'owner', 'authority', 'unknown'] as const;
export type Responsibility = (typeof RESPONSIBILITIES)[number];

/** A place in the estate: a flat (building / unit / room) or a public area described in words. */
export type EstateLocation =
  | { kind: 'unit'; building: string; unit?: string; room: string }
  | { kind: 'public'; description: string };

/** A contact as the owner gave it. */
export interface Contact {
  name: string;
  /** E.164, e.g. +8613812345678. */
  phone: string;
}

/** An owner or occupant of the estate. */
export interface Owner {
  id: string;
  /** One identity per channel the owner has reached us on. */
  identities: { channel: Channel; userId: string; chatId: string }[];
  name?: string;
  phone?: string;
  /** Flats the owner has given, e.g. 3-2-501. */
  units: string[];
  /**
   * The estate and building whose QR code the owner followed or scanned (a Service Account's scene value,
   * printed by the service centre one per building); the flat itself they give in conversation.
   */
  qrBuilding?: { estate: string; building: string };
  locale: Locale;
  /** The owner has been told what personal data we keep and why. */
  privacyNoticeShown: boolean;
  /** The owner cannot be reached in chat (blocked the bot, left). */
  unreachable: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A member of the service centre's staff, known by a platform identity. */
export interface Staff {
  id: string;
  channel: Channel;
  userId: string;
  displayName: string;
  role: 'staff' | 'supervisor' | 'manager';
  active: boolean;
}
