/**
 * The console conversations a newcomer has with `npm start`, in this process: the bot built through
 * `bootstrap` on a fresh DATA_DIR, the real console channel, the lines typed as a pipe would deliver them,
 * and what the terminal shows asserted. The real process is covered by console.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConsoleBot } from '../support/console-bot.js';

const root = mkdtempSync(join(tmpdir(), 'residesk-console-chat-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
function freshDataDir(): string {
  runs += 1;
  return join(root, `data-${runs}`);
}

function chat(lines: string[], env: Record<string, string> = {}, dataDir = freshDataDir()) {
  return runConsoleBot(lines, { dataDir, env });
}

// Each test loads the content and opens a store, which can take seconds on a busy machine.
describe('console conversations (the bot npm start builds, in process)', { timeout: 30_000 }, () => {
  it('files a repair in Chinese and prints the ticket number and the staff card', async () => {
    const { stdout } = await chat([
      '你好',
      '1', // 报修
      '2', // 渗漏与房屋本体
      '3栋2单元501',
      '卫生间天花板漏水，滴到地上了',
      '1', // no photos
      '希望尽快上门查看',
      '张三',
      '12345', // a bad phone: re-prompted
      '13812345678',
      '1', // confirm
    ]);
    expect(stdout).toContain('这个号码好像不太对');
    expect(stdout).toMatch(/工单号：T\d{6}-0001/);
    expect(stdout).toContain('[staff group · 员工群]');
    expect(stdout).toContain('138****5678');
    expect(stdout).toContain('渗漏与房屋本体');
  });

  it('files a complaint in English, with an edit from the read-back', async () => {
    const { stdout } = await chat(
      [
        '/start',
        '2', // complaint
        '11', // parking
        'Bldg 3 Unit 2 Rm 501',
        'A car has blocked my parking space for three days',
        '1', // no photos
        'the car park attendant',
        'Please move the car and warn the driver',
        'Li Wei',
        '+44 20 7946 0958',
        '2', // edit
        '4', // the description (kind, category, location, description …)
        'A car has blocked my space for four days now',
        '1', // confirm
      ],
      { DEFAULT_LOCALE: 'en' },
    );
    expect(stdout).toContain('Let us read back what we have recorded');
    expect(stdout).toContain('four days now');
    expect(stdout).toMatch(/recorded as ticket T\d{6}-0001/);
    expect(stdout).toContain('Complaint');
  });

  it('takes the emergency path in Chinese: numbers first, only the place asked', async () => {
    const { stdout } = await chat(['紧急', '地下车库B区'], { DUTY_PHONE: '0571-88886666' });
    expect(stdout).toContain('119');
    expect(stdout.indexOf('119')).toBeLessThan(stdout.indexOf('具体位置'));
    expect(stdout).toContain('0571-88886666');
    expect(stdout).toMatch(/已紧急通知值班人员，工单号：T\d{6}-0001/);
    expect(stdout).toContain('🚨 紧急工单');
  });

  it('takes the emergency path in English', async () => {
    const { stdout } = await chat(['/emergency', 'Basement car park, zone B'], { DEFAULT_LOCALE: 'en' });
    expect(stdout).toContain('Fire 119');
    expect(stdout).toMatch(/staff on duty have been alerted\. Your ticket is T\d{6}-0001/);
    expect(stdout).toContain('EMERGENCY ticket');
  });

  it('resumes at the same question after a restart', async () => {
    const dataDir = freshDataDir();
    const first = await chat(['/start', '1', '1', '3-2-501'], {}, dataDir);
    expect(first.stdout).toContain('请简单描述一下发生了什么');
    const second = await chat(['厨房水管漏水', '1', '1', '王五', '13900001111', '1'], {}, dataDir);
    // The first thing the bot says after the restart is the next question of the same report.
    expect(second.stdout.split('\n').find((l) => l.startsWith('residesk ›'))).toContain('照片');
    expect(second.stdout).toMatch(/工单号：T\d{6}-0001/);
  });
});
