/**
 * The Service Account callback's XML (fast-xml-parser) as plain data: the envelope (in safe mode only
 * the account and the Encrypt field) and the message inside — text, image, location, the kinds residesk
 * cannot use (voice, video, link, file …), and the events subscribe (with a QR code's `qrscene_` scene
 * value), SCAN, CLICK and unsubscribe. Every value is read as a string: a MsgId (64 bits) does not fit a
 * JavaScript number. A body that declares a DOCTYPE or entities is refused outright. Pure; no I/O.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

/** Fields common to every message and event. */
interface Common {
  /** The account's original id (gh_…). */
  toUser: string;
  /** The sender's OpenID: the chat and the person. */
  fromUser: string;
  /** Seconds since the epoch, as WeChat wrote it. */
  createTime: number;
}

/** One message or event, as the callback delivers it. */
export type MpMessage = Common &
  (
    | { kind: 'text'; msgId: string; content: string }
    | { kind: 'image'; msgId: string; mediaId: string; picUrl?: string }
    | { kind: 'location'; msgId: string; latitude: number; longitude: number; label?: string }
    /** voice, video, shortvideo, link, file, …: kept by their MsgType. */
    | { kind: 'other'; msgId: string; msgType: string }
    /** A follow; `scene` is the QR code's scene value without `qrscene_`, when it came through one. */
    | { kind: 'subscribe'; scene?: string }
    | { kind: 'unsubscribe' }
    /** An existing follower scanned a QR code with a scene value. */
    | { kind: 'scan'; scene: string }
    /** A menu button of type click. */
    | { kind: 'click'; key: string }
    /** Events residesk does nothing with (VIEW, LOCATION, TEMPLATESENDJOBFINISH …). */
    | { kind: 'event'; event: string; key?: string }
  );

type Fields = Record<string, unknown>;

/** The `<xml>` element's children as strings (nested elements are ignored), or undefined when it is not XML. */
export function readXml(body: string): Record<string, string> | undefined {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return undefined;
  if (XMLValidator.validate(body) !== true) return undefined;
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch {
    return undefined;
  }
  const root = (parsed as Fields | undefined)?.xml;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(root as Fields)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** The envelope of a POST: the Encrypt field in safe (or compatible) mode, else the message itself. */
export function readEnvelope(body: string): { encrypted?: string; fields: Record<string, string> } | undefined {
  const fields = readXml(body);
  if (!fields) return undefined;
  return fields.Encrypt ? { encrypted: fields.Encrypt, fields } : { fields };
}

const SCENE_PREFIX = 'qrscene_';

function number(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The message in a callback's fields, or undefined when it lacks what every message has. */
export function toMessage(fields: Record<string, string>): MpMessage | undefined {
  const toUser = fields.ToUserName;
  const fromUser = fields.FromUserName;
  const createTime = number(fields.CreateTime);
  const msgType = fields.MsgType?.toLowerCase();
  if (!toUser || !fromUser || createTime === undefined || !msgType) return undefined;
  const common: Common = { toUser, fromUser, createTime };
  if (msgType === 'event') return { ...common, ...eventOf(fields) };
  const msgId = fields.MsgId;
  if (!msgId) return undefined;
  switch (msgType) {
    case 'text':
      return { ...common, kind: 'text', msgId, content: fields.Content ?? '' };
    case 'image':
      if (!fields.MediaId) return undefined;
      return {
        ...common,
        kind: 'image',
        msgId,
        mediaId: fields.MediaId,
        ...(fields.PicUrl ? { picUrl: fields.PicUrl } : {}),
      };
    case 'location': {
      const latitude = number(fields.Location_X);
      const longitude = number(fields.Location_Y);
      if (latitude === undefined || longitude === undefined) return undefined;
      return {
        ...common,
        kind: 'location',
        msgId,
        latitude,
        longitude,
        ...(fields.Label ? { label: fields.Label } : {}),
      };
    }
    default:
      return { ...common, kind: 'other', msgId, msgType };
  }
}

type EventPart =
  Exclude<MpMessage, { msgId: string }> extends infer E ? (E extends Common ? Omit<E, keyof Common> : never) : never;

function eventOf(fields: Record<string, string>): EventPart {
  const event = fields.Event ?? '';
  const key = fields.EventKey;
  switch (event.toLowerCase()) {
    case 'subscribe':
      // EventKey is empty for a plain follow, `qrscene_<value>` for one through a QR code.
      return key?.startsWith(SCENE_PREFIX) && key.length > SCENE_PREFIX.length
        ? { kind: 'subscribe', scene: key.slice(SCENE_PREFIX.length) }
        : { kind: 'subscribe' };
    case 'unsubscribe':
      return { kind: 'unsubscribe' };
    case 'scan':
      if (key) return { kind: 'scan', scene: key };
      break;
    case 'click':
      if (key) return { kind: 'click', key };
      break;
  }
  return { kind: 'event', event, ...(key ? { key } : {}) };
}
