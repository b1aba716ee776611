/**
 * The production build: src/main.ts bundled by esbuild into dist/main.js (with the libraries it loads at
 * every start), so a start resolves and compiles one file instead of some 300 modules one by one. What only
 * some starts need stays apart: WeChat, MongoDB and the Telegram adapter are split into chunks loaded when
 * configured, and the libraries listed in EXTERNAL load from node_modules (native code, or large and loaded
 * only for WeChat, MongoDB or a model). dist/ sits at the repository root's depth like src/, so the bot finds
 * flows/ and locales/ from it as from src/.
 *
 * It only emits: types are checked by `npm run typecheck`, which CI runs on every change. esbuild comes with
 * tsx (a dependency), so `npm ci` is all a fresh clone needs.
 *
 * The build then writes the content snapshot (dist/content.snapshot, see src/adapters/content/snapshot.ts),
 * so the first start reads it; a start after an operator's edit of flows/ or locales/ loads the files
 * again and rewrites it. Content that is broken at build time is not the build's failure: the start says
 * what is wrong, one line per mistake.
 *
 * `node scripts/build.mjs` builds; `--if-stale` (npm's prestart) builds only when dist/ is missing or
 * older than a source file, the lock file or this script, so `npm ci && npm start` works on a fresh clone
 * and `npm start` after an edit never runs yesterday's code. A finished build writes dist/.built; a failed
 * one writes no stamp, so the next start tries again. `--out-dir <dir>` builds elsewhere (the build test).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out-dir');
const dist = outFlag > 0 ? resolve(process.argv[outFlag + 1] ?? '') : join(root, 'dist');
const stamp = join(dist, '.built');

/** Loaded from node_modules, not bundled: native addons, and libraries only some configurations load. */
// @wecom/aibot-node-sdk pulls in ws, whose optional native helpers esbuild cannot resolve.
const EXTERNAL = [
  'better-sqlite3',
  'wechaty',
  'wechaty-*',
  'file-box',
  'mongoose',
  'mongodb',
  'openai',
  '@wecom/aibot-node-sdk',
];

/**
 * zod's error messages in its forty-odd languages, re-exported as `z.locales`, are left out: nothing here
 * reads them (messages are English, zod's default, which zod imports on its own), and they were 300 KB of
 * the 2.1 MB every start compiles.
 */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'residesk-empty' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'residesk-empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

/**
 * esbuild writes strings and templates in ASCII but leaves regular expressions' characters as written
 * (/[。！？]/): one Chinese character in a file makes V8 keep the whole file's source, which it holds for
 * as long as the bot runs, in two bytes per character instead of one (1.7 MB more of an idle bot's memory).
 * Each such character becomes its \\uXXXX escape, which a pattern reads as the same character (an astral
 * one as its surrogate pair, read as one character under the u flag and as two without, as written). A
 * character after a backslash (an identity escape, /\\中/) would need its backslash dropped: the build
 * stops rather than guess.
 */
function asciiOnly(dir) {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = join(dir, name);
    const code = readFileSync(file, 'utf8');
    if (/^[\x00-\x7f]*$/.test(code)) continue;
    const escaped = code.replace(/(\\*)([^\x00-\x7f])/g, (_, slashes, c) => {
      if (slashes.length % 2 === 1) throw new Error(`${name}: an escaped non-ASCII character (${c}) the build cannot rewrite`);
      return `${slashes}\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    });
    writeFileSync(file, escaped);
  }
}

/** Every file the build reads: src/**.ts, the tsconfigs, the lock file and this script. */
function inputs() {
  const files = [];
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  visit(join(root, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/build.mjs']) {
    const path = join(root, file);
    if (existsSync(path)) files.push(path);
  }
  return files;
}

const files = inputs();
if (
  process.argv.includes('--if-stale') &&
  existsSync(stamp) &&
  statSync(stamp).mtimeMs >= Math.max(...files.map((f) => statSync(f).mtimeMs))
) {
  process.exit(0);
}

/** The build's id: a hash of what it was built from; the content snapshot is valid for this id only. */
const hash = createHash('sha256');
for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file));
const buildId = hash.digest('hex').slice(0, 32);

process.stderr.write('residesk: building dist/ from src/ (esbuild) …\n');
rmSync(dist, { recursive: true, force: true });
// esbuild is tsx's; resolved through it, so it is found wherever npm placed it.
const requireFromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
const esbuild = await import(requireFromTsx.resolve('esbuild'));
try {
  await esbuild.build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    define: { RESIDESK_BUILD_ID: JSON.stringify(buildId) },
    // Bundled CommonJS libraries call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __resideskRequire } from 'node:module'; const require = __resideskRequire(import.meta.url);" },
    logLevel: 'error',
    // Whitespace and comments out, syntax shortened, names kept (a stack trace still names the function):
    // the bundles are 40% smaller, so each start compiles less and keeps less source in memory.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    plugins: [zodWithoutLocales],
  });
} catch {
  process.stderr.write('residesk: the build failed (see the errors above)\n');
  process.exit(1);
}
asciiOnly(dist);

const snapshot = spawnSync(process.execPath, [join(dist, 'main.js'), '--content-snapshot'], {
  cwd: root,
  encoding: 'utf8',
});
if (snapshot.status !== 0) {
  process.stderr.write('residesk: no content snapshot written (the start will load the files and say what is wrong)\n');
}
writeFileSync(stamp, `${new Date().toISOString()} ${buildId}\n`);
