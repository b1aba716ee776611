// The layer rule (issue 15), checked by `npm run layers` in CI and by test/layers.test.ts:
// core is pure and imports nothing of the rest of the project, no platform library and no Node I/O;
// app reaches adapters only through ports declared in core; adapters never import app;
// no import cycle crosses from one layer to another.
// Type-only imports count: a port declared in the wrong layer is still an arrow the wrong way.

/** Platform libraries: each belongs to its adapter, never to core. */
const PLATFORM_LIBRARIES = [
  'telegraf',
  'wechaty',
  'wechaty-[^/]+',
  'file-box',
  'mongoose',
  'mongodb',
  'better-sqlite3',
  'openai',
  'node-cron',
  'pino',
  'pino-[^/]+',
];

/** Node built-ins that do I/O (files, network, processes, threads, the terminal). */
const NODE_IO_BUILTINS = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'readline/promises',
  'repl',
  'inspector',
  'sqlite',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment:
        'src/core is the pure centre: it imports nothing of app, adapters, config, logger, bootstrap, main or cli. ' +
        'Declare the type (a port, a policy shape) in core and let the outer layer import it from there.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'core-no-platform-library',
      severity: 'error',
      comment: 'Platform libraries belong to their adapter; core sees them only through a port.',
      from: { path: '^src/core/' },
      to: { path: `(^|node_modules/)(${PLATFORM_LIBRARIES.join('|')})(/|$)` },
    },
    {
      name: 'core-no-io',
      severity: 'error',
      comment: 'No I/O in core: read files, sockets and processes in an adapter or loader and pass the data in.',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'], path: `^(node:)?(${NODE_IO_BUILTINS.join('|')})$` },
    },
    {
      name: 'adapters-not-to-app',
      severity: 'error',
      comment: 'Adapters implement ports declared in core; they never import the use cases in src/app.',
      from: { path: '^src/adapters/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'app-not-to-adapters',
      severity: 'error',
      comment:
        'Use cases get adapters through ports declared in core (wired by bootstrap/main); they never import src/adapters.',
      from: { path: '^src/app/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'An import the cruiser cannot resolve is an arrow it cannot check (and probably a broken import).',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-cycle-across-layers',
      severity: 'error',
      comment: 'An import cycle that leaves its layer ties two layers together; break it with a port in core.',
      from: { path: '^(src/[^/]+/)' },
      to: { circular: true, via: { pathNot: '^$1' } },
    },
    {
      name: 'no-cycle-through-the-root',
      severity: 'error',
      comment:
        'The files directly under src (config, logger, bootstrap, main …) are wiring: no cycle between them and a layer.',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { circular: true, via: { pathNot: '^src/[^/]+\\.ts$' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
