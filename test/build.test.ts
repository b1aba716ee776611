/**
 * The production start (issue 17): `npm start` runs the build's output with plain node, no run-time
 * transpiler. The build script writes a tree that starts: here into a temporary root that links the
 * repository's flows/, locales/ and node_modules/, run with the console channel and a piped `/quit`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
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
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--out-dir', join(root, 'dist')], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    expect(existsSync(join(root, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(root, 'dist', '.built'))).toBe(true);
    for (const dir of ['flows', 'locales', 'node_modules']) symlinkSync(join(repo, dir), join(root, dir));
    cpSync(join(repo, 'package.json'), join(root, 'package.json'));

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
  });
});
