/**
 * Service Account messages and events → what the channel does with them: the `Inbound` handed to the
 * application, the QR code's building to keep on the owner, an unfollow, and the reply window the action
 * opens. Pure; saving an image is the channel's job (its path comes in as `photoRef`).
 *
 * Dedupe keys. A message has a MsgId, which WeChat's retries (three, when no answer came within 5 s) keep.
 * An event has none; WeChat's own advice (FromUserName + CreateTime) would merge two real events of one
 * second — a follow and a menu click, two different buttons — so the key holds the event and its key too.
 * Two presses of the same button in the same second are then one, which is what the person meant.
 *
 * Follows and QR scans become `/start` (the greeting and the menu: two messages, inside the 3 a follow
 * allows within its minute); a menu click becomes the command its key names (`repair` → `/repair`).
 */
import type { Inbound, InboundContent, UnsupportedKind } from '../../../core/types.js';
import type { MpMessage } from './xml.js';

/** An estate and a building, as the owner record keeps the one from a QR code. */
export interface QrBuilding {
  estate: string;
  building: string;
}

/** What the channel does with one message or event. */
export interface Handling {
  /** The key inbound dedupe uses (also the Inbound's messageId). */
  key: string;
  /** What the application is handed; none for an unfollow or an event residesk does nothing with. */
  inbound?: Inbound;
  /** The building a QR code named, to keep on the owner. */
  bind?: QrBuilding;
  /** The owner unfollowed: nothing can be sent to them any more. */
  unfollowed?: boolean;
  /** The reply window this opens: a message (48 h) or a follow, scan or menu click (1 min). */
  opens?: 'message' | 'event';
}

/** A scene part: letters, digits, CJK and - _ . (no colon), 1 to 30 characters. */
const SCENE_PART = /^[\p{L}\p{N}_.-]{1,30}$/u;

/**
 * The estate and building a QR code's scene value names: `<estate>:<building>`, e.g. `sunshine:3` (a
 * permanent string QR code, QR_LIMIT_STR_SCENE, one per building). Anything else (a numeric scene of an
 * older campaign) names none.
 */
export function sceneBuilding(scene: string): QrBuilding | undefined {
  const parts = scene.split(':');
  if (parts.length !== 2) return undefined;
  const [estate = '', building = ''] = parts.map((p) => p.trim());
  return SCENE_PART.test(estate) && SCENE_PART.test(building) ? { estate, building } : undefined;
}

/** The dedupe key of a message or event (see the module's comment). */
export function dedupeKey(msg: MpMessage): string {
  if ('msgId' in msg) return `msg:${msg.msgId}`;
  const detail =
    msg.kind === 'subscribe' || msg.kind === 'scan'
      ? (msg.scene ?? '')
      : msg.kind === 'click'
        ? msg.key
        : msg.kind === 'event'
          ? `${msg.event}:${msg.key ?? ''}`
          : '';
  return `event:${msg.fromUser}:${msg.createTime}:${msg.kind}:${detail}`;
}

const UNSUPPORTED: Record<string, UnsupportedKind> = {
  voice: 'voice',
  video: 'video',
  shortvideo: 'video',
  file: 'document',
  link: 'other',
};

function contentOf(msg: MpMessage, photoRef: string | undefined): InboundContent | undefined {
  switch (msg.kind) {
    case 'text':
      return { type: 'text', text: msg.content };
    case 'image':
      return photoRef ? { type: 'photo', fileRef: photoRef } : { type: 'unsupported', what: 'other' };
    case 'location':
      return { type: 'unsupported', what: 'location' };
    case 'other':
      return { type: 'unsupported', what: UNSUPPORTED[msg.msgType] ?? 'other' };
    case 'subscribe':
    case 'scan':
      return { type: 'text', text: '/start' };
    case 'click':
      return { type: 'text', text: `/${msg.key}` };
    default:
      return undefined;
  }
}

/**
 * The reply window an inbound message opened, by its key (the Inbound's messageId, as the thread's log
 * keeps it): a message's `msg:` key the 48-hour one, an event's `event:` key the one-minute one.
 */
export function windowOpenedBy(messageId: string): 'message' | 'event' | undefined {
  if (messageId.startsWith('msg:')) return 'message';
  if (messageId.startsWith('event:')) return 'event';
  return undefined;
}

/** What to do with one message or event received at `receivedAt`. */
export function handlingOf(msg: MpMessage, receivedAt: Date, photoRef?: string): Handling {
  const key = dedupeKey(msg);
  if (msg.kind === 'unsubscribe') return { key, unfollowed: true };
  const content = contentOf(msg, photoRef);
  const bind = msg.kind === 'subscribe' || msg.kind === 'scan' ? sceneBuilding(msg.scene ?? '') : undefined;
  const opens =
    msg.kind === 'subscribe' || msg.kind === 'scan' || msg.kind === 'click'
      ? 'event'
      : msg.kind === 'event'
        ? undefined
        : 'message';
  return {
    key,
    ...(content
      ? {
          inbound: {
            channel: 'wechat_mp',
            chatId: msg.fromUser,
            chatKind: 'private',
            userId: msg.fromUser,
            messageId: key,
            receivedAt,
            content,
          },
        }
      : {}),
    ...(bind ? { bind } : {}),
    ...(opens ? { opens } : {}),
  };
}
