import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CONSOLE_STAFF_CHAT, ConsoleChannel } from '../../../../src/adapters/channels/console/console.js';
import type { StoredFile } from '../../../../src/core/ports.js';
import type { Inbound } from '../../../../src/core/types.js';

/** A console fed `lines`; each handled message may deliver to the console (as the dispatcher would). */
async function run(
  lines: string[],
  onInbound: (c: ConsoleChannel, inbound: Inbound) => Promise<void> = async () => {},
  result: unknown = { duplicate: false, ack: { text: '' } },
) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString('utf8');
  });
  const handled: Inbound[] = [];
  const channel: ConsoleChannel = new ConsoleChannel({
    input,
    output,
    color: false,
    handle: async (inbound) => {
      handled.push(inbound);
      await onInbound(channel, inbound);
      return result;
    },
    flush: async () => {},
    now: () => new Date('2026-11-28T02:00:00Z'),
  });
  const card = (buttons: { label: string; data: string }[]) => ({
    kind: 'send' as const,
    message: { text: 'T261128-0001', ref: 'card:t1', buttons: [buttons] },
  });
  await channel.deliver(
    CONSOLE_STAFF_CHAT,
    card([
      { label: '✋ 受理', data: 's|accept|T261128-0001' },
      { label: '✖ 不予受理', data: 's|reject|T261128-0001' },
    ]),
  );
  input.end(`${lines.join('\n')}\n`);
  await channel.run();
  return { handled, printed };
}

describe('console channel, staff side', () => {
  it("presses the latest card's button by its number, as a tap would", async () => {
    const { handled } = await run(['/as staff', '1', '２']);
    expect(handled.map((i) => i.content)).toEqual([
      { type: 'button', data: 's|accept|T261128-0001' },
      { type: 'button', data: 's|reject|T261128-0001' },
    ]);
    expect(handled[0]).toMatchObject({ chatId: CONSOLE_STAFF_CHAT, chatKind: 'staff' });
  });

  it('replies to the latest card with a `>` line, as a reply or a quote would, leaving the text to the desk', async () => {
    const { handled } = await run(['/as staff', '> 备注 业主家里有老人', '＞接单', '备注 没有引用']);
    expect(handled.map((i) => [i.content, i.replyTo])).toEqual([
      [{ type: 'text', text: '备注 业主家里有老人' }, 'c1'],
      [{ type: 'text', text: '接单' }, 'c1'],
      [{ type: 'text', text: '备注 没有引用' }, undefined],
    ]);
  });

  it('answers a number with no button behind it instead of passing it on unanswered', async () => {
    const { handled, printed } = await run(['/as staff', '7']);
    expect(handled).toHaveLength(0);
    expect(printed).toContain('reply with a number from 1 to 2');
  });

  it("follows the card as it is edited, and forgets a card's buttons once it has none", async () => {
    const { handled, printed } = await run(['/as staff', '1', '1'], async (c, inbound) => {
      if (inbound.content.type !== 'button') return;
      await c.deliver(CONSOLE_STAFF_CHAT, { kind: 'edit', ref: 'card:t1', message: { text: 'T261128-0001 ✅' } });
    });
    expect(handled.map((i) => i.content)).toEqual([{ type: 'button', data: 's|accept|T261128-0001' }]);
    expect(printed).toContain('no buttons to press');
  });

  it('shows what only the presser would see: a refusal, a full phone number', async () => {
    const { printed } = await run(['/as staff', '2', '1'], async () => {});
    expect(printed).not.toContain('only you see this');
    const shown = await run(['/as staff', '1'], undefined, {
      ack: { text: '工单 T261128-0001 联系人 张三：+8613812345678', alert: true },
    });
    expect(shown.printed).toContain('[仅您可见 · only you see this] 工单 T261128-0001 联系人 张三：+8613812345678');
  });

  it('leaves numbers on the owner side to the conversation', async () => {
    const { handled } = await run(['1']);
    expect(handled.map((i) => i.content)).toEqual([{ type: 'text', text: '1' }]);
  });
});

describe('console channel, generated files', () => {
  it('saves the files it has bytes for and prints their paths; a file gone is named', async () => {
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => {
      printed += chunk.toString('utf8');
    });
    const filesDir = join(mkdtempSync(join(tmpdir(), 'console-files-')), 'out');
    const channel = new ConsoleChannel({
      input: new PassThrough(),
      output,
      color: false,
      handle: async () => ({ duplicate: false }),
      flush: async () => {},
      now: () => new Date('2026-11-28T02:00:00Z'),
      filesDir,
    });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const files = new Map<string, StoredFile>([
      ['f1', { id: 'f1', name: 'chart-1.png', mime: 'image/png', bytes: png, createdAt: new Date() }],
    ]);
    const result = await channel.deliver(
      CONSOLE_STAFF_CHAT,
      {
        kind: 'send',
        message: {
          text: '11月汇总',
          attachments: [
            { kind: 'image', fileId: 'f1', name: 'chart-1.png' },
            { kind: 'document', fileId: 'gone', name: '工单-2026-11.xlsx' },
          ],
        },
      },
      undefined,
      files,
    );
    expect(result.status).toBe('sent');
    const saved = /📎 chart-1\.png → (\S+)/.exec(printed)?.[1];
    expect(saved?.startsWith(filesDir)).toBe(true);
    expect(readFileSync(saved ?? '')).toEqual(Buffer.from(png));
    expect(printed).toMatch(/📎 工单-2026-11\.xlsx\n/);
  });
});
