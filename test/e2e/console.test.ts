/**
 * `npm start` as a newcomer runs it: the real process, the console channel, piped input, a fresh data
 * directory. Slow-ish (a process per run), so each test covers a whole conversation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'residesk-console-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function runConsole(
  lines: string[],
  env: Record<string, string> = {},
  dir = join(dataDir, Math.random().toString(36).slice(2)),
) {
  const result = spawnSync(join('node_modules', '.bin', 'tsx'), ['src/main.ts'], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dir, LOG_LEVEL: 'warn', ...env },
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, dir };
}

describe('console channel (npm start with piped input)', () => {
  it('files a repair in Chinese and prints the ticket number and the staff card', () => {
    const { stdout, status } = runConsole([
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
    expect(status).toBe(0);
    expect(stdout).toContain('这个号码好像不太对');
    expect(stdout).toMatch(/工单号：T\d{6}-0001/);
    expect(stdout).toContain('[staff group · 员工群]');
    expect(stdout).toContain('138****5678');
    expect(stdout).toContain('渗漏与房屋本体');
  });

  it("runs the README's piped example to a ticket number", () => {
    const readme = readFileSync('README.md', 'utf8');
    const script = readme.match(/^printf '([^']*)' \| npm start$/m)?.[1];
    expect(script).toBeDefined();
    const { stdout, status } = runConsole((script ?? '').split('\\n').filter((l) => l !== ''));
    expect(status).toBe(0);
    expect(stdout).toMatch(/工单号：T\d{6}-0001/);
    expect(stdout).toContain('联系人：张三 138****5678');
  });

  it('files a complaint in English, with an edit from the read-back', () => {
    const { stdout, status } = runConsole(
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
    expect(status).toBe(0);
    expect(stdout).toContain('Let us read back what we have recorded');
    expect(stdout).toContain('four days now');
    expect(stdout).toMatch(/recorded as ticket T\d{6}-0001/);
    expect(stdout).toContain('Complaint');
  });

  it('takes the emergency path in both languages: numbers first, only the place asked', () => {
    const zh = runConsole(['紧急', '地下车库B区'], { DUTY_PHONE: '0571-88886666' });
    expect(zh.stdout.indexOf('119')).toBeLessThan(zh.stdout.indexOf('具体位置'));
    expect(zh.stdout).toContain('0571-88886666');
    expect(zh.stdout).toMatch(/已紧急通知值班人员，工单号：T\d{6}-0001/);
    expect(zh.stdout).toContain('🚨 紧急工单');

    const en = runConsole(['/emergency', 'Basement car park, zone B'], { DEFAULT_LOCALE: 'en' });
    expect(en.stdout).toContain('Fire 119');
    expect(en.stdout).toMatch(/staff on duty have been alerted\. Your ticket is T\d{6}-0001/);
    expect(en.stdout).toContain('EMERGENCY ticket');
  });

  it('resumes at the same question after a restart', () => {
    const first = runConsole(['/start', '1', '1', '3-2-501']);
    expect(first.stdout).toContain('请简单描述一下发生了什么');
    const second = runConsole(['厨房水管漏水', '1', '1', '王五', '13900001111', '1'], {}, first.dir);
    expect(second.stdout.split('\n').find((l) => l.startsWith('residesk ›'))).toContain('照片');
    expect(second.stdout).toMatch(/工单号：T\d{6}-0001/);
  });

  it('stops with one clear line naming DATA_DIR when the database cannot be opened there', () => {
    const file = join(dataDir, 'not-a-directory');
    writeFileSync(file, 'x');
    const { stderr, status } = runConsole(['/start'], {}, file);
    expect(status).toBe(2);
    expect(stderr).toContain('residesk cannot start: the SQLite store cannot be opened');
    expect(stderr).toMatch(/DATA_DIR: cannot open .*not-a-directory/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('stops with one clear line per configuration problem', () => {
    const { stderr, status } = runConsole([], { TZ: 'Mars/Olympus', DEFAULT_LOCALE: 'fr' });
    expect(status).toBe(2);
    expect(stderr).toContain('TZ:');
    expect(stderr).toContain('DEFAULT_LOCALE:');
  });
});
