/**
 * What the staff command lines (`npm run survey`, `npm run notice`) share: reading the configuration with
 * one line per problem, starting as the bot does (src/bootstrap.ts: its content, the configured store, its
 * staff rooms), acting with a supervisor's rights as `cli:<user>`, and turning a store or start-up failure
 * into one line and an exit code. Exit codes: 0 done, 1 refused or failed (a store that cannot be used
 * too: nothing is written elsewhere instead), 2 usage or configuration.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bootstrap, processEnv, readConfig } from '../bootstrap.js';
import type { Config } from '../config.js';
import type { ChartRenderer } from '../core/ports/charts.js';
import { type Clock, type Store, StoreError, systemClock } from '../core/ports.js';
import { silentLogger } from '../logger.js';
import { StartupError } from '../startup-error.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface CliOptions {
  /** The environment (default: process.env after reading ./.env). */
  env?: Record<string, string | undefined>;
  /** Where flows/ and locales/ are (default: the repository root). */
  root?: string;
  clock?: Clock;
}

/** Who acts from the command line: `cli:<user>` (whoever runs it has the server). */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** The configuration, or undefined after printing one line per problem (exit 2). */
export function readCliConfig(name: string, io: CliIo, options: CliOptions): Config | undefined {
  try {
    return readConfig(options.env ?? processEnv());
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    io.err(`${name}: ${error.title}:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return undefined;
  }
}

export type Started = Awaited<ReturnType<typeof bootstrap>>;

/**
 * Starts as the bot does (no console staff room), runs `fn`, and closes the store whatever happens. `charts`
 * draws pictures for the commands that send them (the survey report); the caller closes it.
 */
export async function withBot(
  name: string,
  config: Config,
  io: CliIo,
  options: CliOptions,
  fn: (started: Started, clock: Clock) => Promise<number>,
  charts?: ChartRenderer,
): Promise<number> {
  let store: Store | undefined;
  const clock = options.clock ?? systemClock;
  try {
    const started = await bootstrap({
      config,
      log: silentLogger(),
      clock,
      consoleStaffRoom: false,
      ...(charts ? { charts } : {}),
      ...(options.root === undefined ? {} : { root: options.root }),
    });
    store = started.store;
    return await fn(started, clock);
  } catch (error) {
    if (error instanceof StartupError) {
      io.err(`${name}: ${error.title}: ${error.problems.join('; ')}\n`);
      return 1;
    }
    const message = error instanceof StoreError ? `${error.code}: ${error.message}` : String(error);
    io.err(`${name}: ${message}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => {});
  }
}

/** Runs `main` when the module is the process's entry point (`tsx src/cli/x.ts …`), with stdout and stderr. */
export async function runIfMain(
  moduleUrl: string,
  main: (argv: readonly string[], io: CliIo) => Promise<number>,
): Promise<void> {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(resolve(process.argv[1])).href) return;
  process.exitCode = await main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
