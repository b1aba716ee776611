/**
 * The production build: src/ compiled by tsc to dist/ (one .js per .ts in the same folders, so
 * dist/content.js finds flows/ and locales/ at the repository root exactly as src/content.ts does).
 * It only emits (`--noCheck`): types are checked by `npm run typecheck`, which CI runs on every change.
 *
 * `node scripts/build.mjs` builds; `--if-stale` (npm's prestart) builds only when dist/ is missing or
 * older than a source file or a tsconfig, so `npm ci && npm start` works on a fresh clone and `npm start`
 * after an edit never runs yesterday's code. A finished build writes dist/.built; a failed one writes no
 * stamp, so the next start tries again. `--out-dir <dir>` builds elsewhere (the build test).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out-dir');
const dist = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? '') : join(root, 'dist');
const stamp = join(dist, '.built');

/** The newest modification time among the files the build reads. */
function newestInput() {
  let newest = 0;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(root, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    const path = join(root, file);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(stamp) && statSync(stamp).mtimeMs >= newestInput()) {
  process.exit(0);
}

process.stderr.write('residesk: building dist/ from src/ (tsc) …\n');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck', '--outDir', dist], {
    stdio: 'inherit',
  });
} catch {
  process.stderr.write('residesk: the build failed (see the errors above)\n');
  process.exit(1);
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
