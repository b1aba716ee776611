/**
 * The production start (issue 17): `npm start` runs the build's output with plain node, no run-time
 * transpiler. The build script writes a bundle that starts, and the content snapshot it starts from: here
 * into a temporary root that links the repository's flows/, locales/, node_modules/ and test/ (the training
 * files), run with the console channel and a piped `/quit`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve('.');
const root = mkdtempSync(join(tmpdir(), 'residesk-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the production build', () => {
  it('is what npm start runs, built first when missing or stale', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('node dist/main.js');
    expect(scripts.prestart).toBe('node scripts/build.mjs --if-stale');
  });

  it('starts with plain node in the console and stops on /quit', { timeout: 240_000 }, () => {
    for (const dir of ['flows', 'locales', 'node_modules', 'test']) symlinkSync(join(repo, dir), join(root, dir));
    cpSync(join(repo, 'package.json'), join(root, 'package.json'));
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--out-dir', join(root, 'dist')], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    expect(existsSync(join(root, 'dist', '.built'))).toBe(true);
    // One bundle (the modules of src/ are not resolved one by one at start), and WeChat in a chunk of its own.
    expect(existsSync(join(root, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(root, 'dist', 'content.js'))).toBe(false);
    expect(readFileSync(join(root, 'dist', 'main.js'), 'utf8')).not.toContain('function createWechatChannel(');
    // ASCII only (regular expressions' Chinese escaped too): V8 keeps a source with one character above it in
    // two bytes per character for as long as the bot runs.
    for (const name of readdirSync(join(root, 'dist')).filter((n) => n.endsWith('.js'))) {
      expect(/[\u0080-\uffff]/.test(readFileSync(join(root, 'dist', name), 'utf8')), name).toBe(false);
    }
    // The build wrote the content snapshot, and the start reads it rather than writing it again.
    const snapshot = join(root, 'dist', 'content.snapshot');
    expect(existsSync(snapshot), built.stderr).toBe(true);
    const written = statSync(snapshot).mtimeMs;

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, DATA_DIR: join(root, 'data'), LOG_LEVEL: 'warn' };
    const run = spawnSync(process.execPath, [join(root, 'dist', 'main.js')], {
      cwd: root,
      env,
      input: '/quit\n',
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('console chat');
    expect(existsSync(join(root, 'data', 'residesk.db'))).toBe(true);
    expect(statSync(snapshot).mtimeMs).toBe(written);
  });
});
