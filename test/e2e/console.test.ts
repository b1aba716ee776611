/**
 * `npm start` as a newcomer runs it: the real process, the console channel, piped input, a fresh data
 * directory. A process costs seconds under load, so only what needs one is here: the README's piped
 * example, and the start-up failures (exit status, one clear line on stderr), which exit before any chat.
 * The conversations themselves run in process in console-chat.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'residesk-console-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Runs `tsx src/main.ts` with `lines` piped in and only the given environment; resolves when it exits. */
function runConsole(lines: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // A process that stopped early closes its stdin; that is its exit status's story, not an error here.
    child.stdin.on('error', () => {});
    child.on('error', reject);
    child.on('close', (status) => resolve({ stdout, stderr, status }));
    child.stdin.end(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  });
}

// Each test waits on a process that starts tsx and loads the bot, which takes seconds on a busy machine.
describe.concurrent('npm start, the real process', { timeout: 60_000 }, () => {
  it("runs the README's piped example to a ticket number and the staff card", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const script = readme.match(/^printf '([^']*)' \| npm start$/m)?.[1];
    expect(script).toBeDefined();
    const lines = (script ?? '').split('\\n').filter((l) => l !== '');
    const { stdout, status } = await runConsole(lines, { DATA_DIR: join(dataDir, 'readme') });
    expect(status).toBe(0);
    expect(stdout).toMatch(/工单号：T\d{6}-0001/);
    expect(stdout).toContain('联系人：张三 138****5678');
    expect(stdout).toContain('[staff group · 员工群]');
  });

  it('stops with one clear line naming DATA_DIR when the database cannot be opened there', async () => {
    const file = join(dataDir, 'not-a-directory');
    writeFileSync(file, 'x');
    const { stdout, stderr, status } = await runConsole(['/start'], { DATA_DIR: file });
    expect(status).toBe(2);
    expect(stderr).toContain('residesk cannot start: the SQLite store cannot be opened');
    expect(stderr).toMatch(/DATA_DIR: cannot open .*not-a-directory/);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe('');
  });

  it('stops with one clear line per configuration problem', async () => {
    const { stdout, stderr, status } = await runConsole([], {
      DATA_DIR: join(dataDir, 'config'),
      TZ: 'Mars/Olympus',
      DEFAULT_LOCALE: 'fr',
    });
    expect(status).toBe(2);
    expect(stderr).toContain('residesk cannot start: the configuration is not valid');
    expect(stderr).toMatch(/^ {2}- TZ: .*Mars\/Olympus/m);
    expect(stderr).toMatch(/^ {2}- DEFAULT_LOCALE: .*"fr"/m);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe('');
  });
});
