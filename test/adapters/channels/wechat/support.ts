/**
 * Test peers for the WeChat channel: a wechaty-puppet-mock world (the bot's account, owners, staff, the
 * staff room and a stranger room) that records what the bot says, and a short polling wait.
 *
 * wechaty, wechaty-puppet-mock and file-box are an optional extra (README, "WeChat personal account"): `npm ci`
 * does not install them, CI does (.ci/run). They are imported here by name at run time, so the suite
 * type-checks without them, and the tests that need them are declared with {@link describeWithWechaty}:
 * without the extra they are skipped, with the reason in their title and one line on standard error.
 */
import type { EventEmitter } from 'node:events';
import { describe } from 'vitest';
import type { WX_CONTACT, WX_MESSAGE } from '../../../../src/adapters/channels/wechat/inbound.js';

/** How to install what these tests need (the mock is for tests only: the bot never loads it). */
export const WECHATY_TEST_INSTALL = 'npm install --no-save wechaty@1 file-box@1 wechaty-puppet-mock@1';

/** A contact of the mock world: it can say something to a contact or into a room. */
export interface MockContact {
  readonly id: string;
  say(what: string | unknown): { to(conversation: MockContact | MockRoom): void };
}

/** A room of the mock world: members can be removed and added by someone. */
export interface MockRoom {
  readonly id: string;
  readonly payload: { topic?: string };
  remove(contact: MockContact): { by(contact: MockContact): void };
  add(contact: MockContact): { by(contact: MockContact): void };
}

/** wechaty-puppet-mock's Mocker, as far as these tests drive it. */
interface Mocker {
  createContact(payload: { name: string }): MockContact;
  createRoom(payload: { topic: string; memberIdList: string[] }): MockRoom;
  login(contact: MockContact): void;
  scan(qrcode: string, status: number): void;
  readonly cacheFileBoxPayload: { get(id: string): unknown };
  readonly MessageMock: { create(payload: object): unknown };
}

/** The mock puppet: handed to the channel as its puppet, and made to emit events as WeChat would. */
interface MockPuppet {
  emit(event: string, payload: object): boolean;
  stop(): Promise<void>;
}

/** wechaty-puppet's enums, by the names the channel knows (`types.Message.Text` …). */
interface WechatyTypes {
  Message: Readonly<Record<keyof typeof WX_MESSAGE, number>>;
  Contact: Readonly<Record<keyof typeof WX_CONTACT, number>>;
  Friendship: Readonly<{ Receive: number; Confirm: number }>;
  ScanStatus: Readonly<{ Waiting: number; Scanned: number; Timeout: number }>;
}

interface Libraries {
  types: WechatyTypes;
  Mocker: new () => Mocker;
  PuppetMock: new (options: { mocker: Mocker }) => MockPuppet;
  FileBox: { fromBase64(base64: string, name: string): unknown };
}

/** Whether `error` is an import failing because the package is not installed. */
function notInstalled(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module)|Failed to load url/.test(message);
}

async function loadLibraries(): Promise<Libraries | undefined> {
  const load = (name: string): Promise<Record<string, unknown>> => import(name);
  try {
    const [wechaty, puppetMock, fileBox] = await Promise.all([
      load('wechaty'),
      load('wechaty-puppet-mock'),
      load('file-box'),
    ]);
    const mock = puppetMock.mock as { Mocker: Libraries['Mocker'] };
    return {
      types: wechaty.types as Libraries['types'],
      Mocker: mock.Mocker,
      PuppetMock: puppetMock.PuppetMock as Libraries['PuppetMock'],
      FileBox: fileBox.FileBox as Libraries['FileBox'],
    };
  } catch (error) {
    if (notInstalled(error)) return undefined;
    throw error;
  }
}

const libraries = await loadLibraries();

/** Why the wechaty tests are skipped here; undefined when the extra is installed and they run. */
export const WECHATY_SKIPPED = libraries
  ? undefined
  : `skipped: wechaty (an optional extra) is not installed; CI installs it: ${WECHATY_TEST_INSTALL}`;
if (WECHATY_SKIPPED) process.stderr.write(`WeChat personal account tests ${WECHATY_SKIPPED}\n`);

/** wechaty-puppet's enums (`types.Message.Image` …); only inside {@link describeWithWechaty}. */
export function wechatyTypes(): WechatyTypes {
  if (!libraries) throw new Error(`wechaty is not installed (${WECHATY_TEST_INSTALL})`);
  return libraries.types;
}

/** `describe` for tests that need wechaty and its mock: skipped, saying why in the title, when they are absent. */
export function describeWithWechaty(name: string, body: () => void): void {
  describe.skipIf(!libraries)(WECHATY_SKIPPED ? `${name} [${WECHATY_SKIPPED}]` : name, body);
}

/** One message the bot sent, as the mock recorded it. */
export interface BotSaid {
  id: string;
  /** The contact or room id it went to. */
  to: string;
  type: number;
  text: string;
  /** For files: the file's name. */
  fileName?: string;
}

let counter = 0;

interface MockPayload {
  id: string;
  talkerId: string;
  listenerId?: string;
  roomId?: string;
  type: number;
  text?: string;
}

/** A mock WeChat with the bot's account, an owner, two staff, a stranger, the staff room and another room. */
export function mockWorld(opts: { staffTopic?: string } = {}) {
  if (!libraries) throw new Error(`wechaty-puppet-mock is not installed (${WECHATY_TEST_INSTALL})`);
  const { types, Mocker, PuppetMock, FileBox } = libraries;
  counter += 1;
  const mocker = new Mocker();
  const puppet = new PuppetMock({ mocker });
  const me = mocker.createContact({ name: '物业助手' });
  const owner = mocker.createContact({ name: '王阿姨' });
  const staff = mocker.createContact({ name: '李师傅' });
  const staff2 = mocker.createContact({ name: '赵主管' });
  const stranger = mocker.createContact({ name: '陌生人' });
  const staffRoom = mocker.createRoom({
    topic: opts.staffTopic ?? `物业员工群${counter}`,
    memberIdList: [me.id, staff.id, staff2.id],
  });
  const otherRoom = mocker.createRoom({ topic: '业主闲聊群', memberIdList: [me.id, owner.id, stranger.id] });
  const said: BotSaid[] = [];
  // Every message the bot sends has the bot's account as talker: the mock tells that contact about it.
  (me as unknown as EventEmitter).on('message', (msg: { payload: MockPayload }) => {
    const p = msg.payload;
    if (p.talkerId !== me.id) return;
    const file = mocker.cacheFileBoxPayload.get(p.id) as { name?: string } | undefined;
    said.push({
      id: p.id,
      to: p.roomId ?? p.listenerId ?? '',
      type: p.type,
      text: p.text ?? '',
      ...(file?.name ? { fileName: file.name } : {}),
    });
  });

  /** A message of any type from `from` to the bot (or into `room`), as the puppet would deliver it. */
  function raw(from: MockContact, type: number, text: string | undefined, room?: MockRoom): string {
    counter += 1;
    const id = `raw-${Date.now().toString(36)}-${counter}`;
    const base = { id, talkerId: from.id, timestamp: Date.now(), type, ...(text !== undefined ? { text } : {}) };
    mocker.MessageMock.create(room ? { ...base, roomId: room.id, mentionIdList: [] } : { ...base, listenerId: me.id });
    puppet.emit('message', { messageId: id });
    return id;
  }

  /** Sends a JPEG image from `from` to the bot. */
  function image(from: MockContact, name = 'photo.jpg'): void {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);
    from.say(FileBox.fromBase64(jpeg.toString('base64'), name)).to(me);
  }

  /** What the bot sent to a contact or room, oldest first. */
  function to(id: string): BotSaid[] {
    return said.filter((s) => s.to === id);
  }

  return { mocker, puppet, me, owner, staff, staff2, stranger, staffRoom, otherRoom, said, raw, image, to, types };
}

export type MockWorld = ReturnType<typeof mockWorld>;

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets pending events and promise chains run. */
export function settle(ms = 50): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
