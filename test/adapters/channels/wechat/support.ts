/**
 * Test peers for the WeChat channel: a wechaty-puppet-mock world (the bot's account, owners, staff, the
 * staff room and a stranger room) that records what the bot says, and a short polling wait.
 */
import type { EventEmitter } from 'node:events';
import { FileBox } from 'file-box';
import { types } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';

type MockContact = ReturnType<mock.Mocker['createContact']>;
type MockRoom = ReturnType<mock.Mocker['createRoom']>;

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
  counter += 1;
  const mocker = new mock.Mocker();
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
