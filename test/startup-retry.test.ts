/**
 * Start-up with the Bot API unreachable (issue 17): tried again with backoff and said so in the log,
 * then an exit status of its own (3), distinct from a configuration error (2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_STATUS, PlatformUnreachable, retryWhileUnreachable } from '../src/startup-error.js';
import { freePort } from './adapters/channels/telegram/support.js';

const dir = mkdtempSync(join(tmpdir(), 'residesk-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Down extends Error {}

describe('retryWhileUnreachable', () => {
  it('waits 1 s, 2 s, 4 s … (at most 30 s) while the platform does not answer, then gives up', async () => {
    let clock = 0;
    const waits: number[] = [];
    const warnings: object[] = [];
    let attempts = 0;
    const run = retryWhileUnreachable(
      'the API',
      async () => {
        attempts += 1;
        throw new Down('connect ECONNREFUSED');
      },
      {
        isUnreachable: (e) => e instanceof Down,
        forMs: 100_000,
        log: { warn: (fields) => warnings.push(fields) },
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
        now: () => clock,
      },
    );
    await expect(run).rejects.toBeInstanceOf(PlatformUnreachable);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 9000]);
    expect(attempts).toBe(9);
    expect(warnings).toHaveLength(8);
  });

  it('returns once the platform answers, and throws any other failure at once', async () => {
    let calls = 0;
    const options = { isUnreachable: (e: unknown) => e instanceof Down, forMs: 60_000, log: { warn: () => {} } };
    const answered = await retryWhileUnreachable(
      'the API',
      async () => {
        calls += 1;
        if (calls < 3) throw new Down('down');
        return 'up';
      },
      { ...options, sleep: async () => {} },
    );
    expect([answered, calls]).toEqual(['up', 3]);
    await expect(
      retryWhileUnreachable(
        'the API',
        async () => {
          throw new Error('token rejected');
        },
        options,
      ),
    ).rejects.toThrow('token rejected');
  });
});

describe('the bot started with the Bot API unreachable', () => {
  it('tries again, says so, and exits with status 3 (a configuration error is 2)', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const env = {
      PATH: process.env.PATH,
      DATA_DIR: join(dir, 'data'),
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_STAFF_CHAT_ID: '-100',
      TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`,
      STARTUP_RETRY: '2s',
    };
    const start = (extra: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 100_000,
      });
    const down = start({});
    expect(down.stderr).toContain('the Telegram Bot API cannot be reached');
    expect(down.stdout).toContain('the Telegram Bot API did not answer; trying again');
    expect(down.status).toBe(EXIT_STATUS.unreachable);

    const misconfigured = start({ STARTUP_RETRY: 'soon' });
    expect(misconfigured.stderr).toContain('STARTUP_RETRY');
    expect(misconfigured.status).toBe(EXIT_STATUS.notValid);
  });
});
