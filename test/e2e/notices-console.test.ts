/**
 * Notices on the console, the bot `npm start` builds (bootstrap, the real console channel, numbered choices
 * instead of buttons): staff draft and publish with the number of the 📢 choice, the scheduler's job writes
 * the notice, and the owner, after a restart on the same DATA_DIR, is shown it and confirms by typing 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/app/scheduler.js';
import { bootstrap, readConfig } from '../../src/bootstrap.js';
import { systemClock } from '../../src/core/ports.js';
import { silentLogger } from '../../src/logger.js';
import { runConsoleBot } from '../support/console-bot.js';

const root = mkdtempSync(join(tmpdir(), 'residesk-notices-console-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = { SUPERVISORS: 'console:console-staff' };

/** Runs every job due now on DATA_DIR, as the bot's scheduler would between two console sessions. */
async function runJobs(dataDir: string): Promise<void> {
  const config = readConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
  const log = silentLogger();
  const { app, store } = await bootstrap({ config, log, clock: systemClock, consoleStaffRoom: true });
  try {
    const scheduler = new Scheduler({ store, clock: systemClock, log, workerId: 'e2e', handlers: app.jobHandlers() });
    while ((await scheduler.tick()) > 0) {
      /* everything due now */
    }
  } finally {
    await store.close();
  }
}

describe('notices on the console', { timeout: 60_000 }, () => {
  it('staff publish by number; the owner is shown the notice and confirms by typing 1', async () => {
    const dataDir = join(root, 'data');
    const first = await runConsoleBot(
      [
        '通知', // an owner whose flat is unknown: nothing estate-wide yet, and asked for the building
        '3-2-501',
        '/as staff',
        '/notice 台风 全部 明天 台风将于明天过境，请关好门窗，收好阳台物品。',
        '1', // 📢 发布: the first choice of the latest staff message
      ],
      { dataDir, env },
    );
    expect(first.stdout).toContain('目前没有面向全小区的通知');
    expect(first.stdout).toContain('好的，已记下您的住址 3-2-501。');
    expect(first.stdout).toContain('【通知预览】N001 · 草稿');
    expect(first.stdout).toMatch(/1\. 📢 发布\n.*2\. 🗑 作废/);
    expect(first.stdout).toContain('📢 通知 N001 · 天气预警');

    await runJobs(dataDir);
    const second = await runConsoleBot(['1', '/notices'], { dataDir, env });
    // Delivered on the first flush, before the owner's line is answered.
    expect(second.stdout).toContain('residesk › 📢 天气预警');
    expect(second.stdout).toMatch(/1\. ✅ 知道了/);
    expect(second.stdout).toContain('好的，谢谢您，已收到您的确认。');
    expect(second.stdout).toContain('目前与您有关的通知共 1 条');
  });
});
