import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runShutdown } from '../src/shutdown.js';

/** A logger that keeps its lines. */
function recordingLogger() {
  const lines: { level: number; msg: string; step?: string; err?: { message?: string } }[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, out), lines };
}

describe('runShutdown', () => {
  it('runs every step in order when they all succeed', async () => {
    const { log } = recordingLogger();
    const ran: string[] = [];
    const failed = await runShutdown(
      ['telegram', 'wechat', 'cron', 'dispatcher', 'store'].map((name) => ({
        name,
        run: async () => void ran.push(name),
      })),
      log,
    );
    expect(ran).toEqual(['telegram', 'wechat', 'cron', 'dispatcher', 'store']);
    expect(failed).toEqual([]);
  });

  it('still closes the store when a channel stop throws, and logs the error with the step', async () => {
    const { log, lines } = recordingLogger();
    const ran: string[] = [];
    const failed = await runShutdown(
      [
        {
          name: 'telegram',
          run: async () => {
            throw new Error('server.close failed');
          },
        },
        { name: 'wechat', run: () => void ran.push('wechat') },
        { name: 'dispatcher', run: async () => void ran.push('dispatcher') },
        { name: 'store', run: async () => void ran.push('store') },
      ],
      log,
    );
    expect(ran).toEqual(['wechat', 'dispatcher', 'store']);
    expect(failed).toEqual(['telegram']);
    const logged = lines.find((l) => l.step === 'telegram');
    expect(logged?.level).toBe(50);
    expect(logged?.err?.message).toBe('server.close failed');
  });

  it('moves on from a step that never finishes', async () => {
    const { log, lines } = recordingLogger();
    const ran: string[] = [];
    const failed = await runShutdown(
      [
        { name: 'telegram', run: () => new Promise(() => undefined) },
        { name: 'store', run: async () => void ran.push('store') },
      ],
      log,
      50,
    );
    expect(ran).toEqual(['store']);
    expect(failed).toEqual(['telegram']);
    expect(lines.some((l) => l.step === 'telegram' && l.level === 50)).toBe(true);
  });
});
