/**
 * Issue 19's generated files through the WeChat personal account, against wechaty-puppet-mock: an image
 * attachment reaches the chat as a file message (a FileBox under the attachment's name) ahead of the
 * text. Skipped, saying why, where the optional wechaty extra is not installed.
 *
 * The mock keeps what it is sent as JSON, which a Buffer FileBox cannot be (file-box's toJSON throws for
 * it; the real puppets read or stream it: wechaty-puppet-service turns it into a UUID box), so the test
 * keeps the box the channel hands the puppet, reads its bytes, and passes the mock a base64 copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createWechatChannel, type WechatChannel } from '../../../../src/adapters/channels/wechat/wechat.js';
import type { StoredFile } from '../../../../src/core/ports.js';
import { silentLogger } from '../../../../src/logger.js';
import { describeWithWechaty, mockWorld, waitFor } from './support.js';

interface FileBoxLike {
  name: string;
  toBuffer(): Promise<Buffer>;
}
/** file-box by name at run time (an optional extra: the suite type-checks without it). */
const load = (name: string): Promise<unknown> => import(name);
const { FileBox } = (await load('file-box').catch(() => ({ FileBox: undefined }))) as {
  FileBox: { fromBase64(base64: string, name: string): FileBoxLike };
};

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 7, 7, 7]);
const running: { channel: WechatChannel; dataDir: string }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.channel.stop();
    rmSync(r.dataDir, { recursive: true, force: true });
  }
});

const stored = (id: string, name: string, mime: string, bytes: Buffer): StoredFile => ({
  id,
  name,
  mime,
  bytes: new Uint8Array(bytes),
  createdAt: new Date(),
});

describeWithWechaty('WeChat channel: generated files', () => {
  it('sends an image attachment as a file message with its name, then the text', async () => {
    const world = mockWorld();
    const dataDir = mkdtempSync(join(tmpdir(), 'residesk-wechat-files-'));
    const channel = await createWechatChannel({
      config: { puppet: 'wechaty-puppet-mock', staffRoom: world.staffRoom.id, acceptFriends: false, sendIntervalMs: 0 },
      dataDir,
      log: silentLogger(),
      handle: async () => ({ duplicate: false }),
      wake: () => undefined,
      now: () => new Date(),
      puppet: world.puppet,
    });
    running.push({ channel, dataDir });
    const handed: { name: string; bytes: Buffer }[] = [];
    const puppet = world.puppet as unknown as {
      messageSendFile(to: string, box: FileBoxLike): Promise<unknown>;
    };
    const send = puppet.messageSendFile.bind(puppet);
    puppet.messageSendFile = async (to, box) => {
      const bytes = await box.toBuffer();
      handed.push({ name: box.name, bytes });
      return send(to, FileBox.fromBase64(bytes.toString('base64'), box.name));
    };
    await channel.start();
    world.mocker.login(world.me);
    await waitFor(() => channel.loggedIn && channel.staffRoom, 'the login and the staff room');

    const files = new Map([['f1', stored('f1', 'review-1.png', 'image/png', PNG)]]);
    const result = await channel.deliver(
      world.owner.id,
      {
        kind: 'send',
        message: { text: '11月服务情况', attachments: [{ kind: 'image', fileId: 'f1', name: 'review-1.png' }] },
      },
      undefined,
      files,
    );
    expect(result.status).toBe('sent');
    const said = await waitFor(() => world.to(world.owner.id).length >= 2 && world.to(world.owner.id), 'both messages');
    expect(handed).toHaveLength(1);
    expect(handed[0]?.name).toBe('review-1.png');
    expect(handed[0]?.bytes.equals(PNG)).toBe(true);
    expect(said.map((s) => [s.type, s.fileName ?? s.text])).toEqual([
      [world.types.Message.Image, 'review-1.png'],
      [world.types.Message.Text, '11月服务情况'],
    ]);
  });
});
