/**
 * `npm run migrate -- --from sqlite:<path> --to mongodb://…` copies an embedded deployment (the SQLite
 * file under DATA_DIR) into MongoDB, or into another SQLite file with `--to sqlite:<path>`.
 *
 *   tsx src/cli/migrate.ts --from sqlite:data/residesk.db --to "$MONGODB_URI" [--dry-run]
 *
 * Everything is copied by its natural key (an owner's id, a chat, a ticket's id, a job's id, an outbox
 * item's id, a ref, a setting's key, a platform message id, a counter's name, a campaign and owner, a
 * praise's id, an enquiry's id, a knowledge entry's id, a notice's id, a notice and owner, an outbox
 * file's id, a contact record's id, an audit entry's id):
 * what the target has already is left alone, so running it twice changes nothing and an interrupted run
 * can simply be run again. Jobs and outbox items keep their status, attempts and lease; counters never
 * go down, so ticket numbers continue where the source stopped; the files of queued messages come before
 * the outbox that names them. Stop the bot while it runs.
 *
 * At the end it prints the number of records per collection on both sides and exits 1 when any differs
 * (2 for a usage error or a configuration it cannot read). It waits for a MongoDB target as long as the
 * bot would (MONGODB_SERVER_SELECTION_TIMEOUT, from the environment or ./.env). `--dry-run` writes
 * nothing (not even indexes) and prints what it would copy.
 *
 * The copy goes through the Store port wherever the port can read and write; what the port cannot list
 * (chats, the message log's chats, dedupe keys, counters, message refs, settings, file ids) is read from the SQLite
 * file directly, read-only, and what only a store may write (job and outbox state, counters) goes
 * through the target's maintenance operations. `migrate()` takes these as arguments, so it runs against
 * any pair of stores.
 *
 * This file is the command; its parts are under ./migrate/: args.ts (arguments, usage), contract.ts (what is
 * copied, the reader and admin interfaces), copy.ts (the copy), sqlite-file.ts (the SQLite file read and
 * written directly), target.ts (opening the target), report.ts (both sides counted, the table printed).
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '../adapters/store/sqlite/store.js';
import { processEnv, readConfig } from '../bootstrap.js';
import { StoreError } from '../core/ports.js';
import { StartupError } from '../startup-error.js';
import { describe, type ParsedArgs, parseArgs, USAGE, UsageError } from './migrate/args.js';
import { migrate } from './migrate/copy.js';
import { formatReport } from './migrate/report.js';
import { SqliteFile } from './migrate/sqlite-file.js';
import { openTarget } from './migrate/target.js';

export { parseArgs, USAGE, UsageError } from './migrate/args.js';
export { COLLECTIONS, type MigrationReport } from './migrate/contract.js';
export { canonical, migrate } from './migrate/copy.js';
export { SqliteFile } from './migrate/sqlite-file.js';

/** Runs the command; returns the exit code (0 done and matching, 1 failed or differing, 2 usage). */
export async function runMigrate(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void },
  options: {
    /** How long to wait for a MongoDB target (default: MONGODB_SERVER_SELECTION_TIMEOUT, as for the bot). */
    serverSelectionTimeoutMs?: number;
    /** The environment (default: process.env after reading ./.env). */
    env?: Record<string, string | undefined>;
  } = {},
): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`migrate: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const { from, to, dryRun } = args;
  if (from.kind !== 'sqlite') return 2;
  if (!existsSync(from.path)) {
    io.err(`migrate: no SQLite database at ${from.path}\n${USAGE}\n`);
    return 2;
  }
  if (to.kind === 'sqlite' && existsSync(to.path) && realpathSync(to.path) === realpathSync(from.path)) {
    io.err(`migrate: --from and --to name the same file\n${USAGE}\n`);
    return 2;
  }

  // Only a MongoDB target waits for a server: as long as the bot would, the target read as its MONGODB_URI.
  let serverSelectionTimeoutMs = options.serverSelectionTimeoutMs ?? 0;
  if (to.kind === 'mongodb' && options.serverSelectionTimeoutMs === undefined) {
    try {
      const config = readConfig({ ...(options.env ?? processEnv()), MONGODB_URI: to.uri });
      serverSelectionTimeoutMs = config.mongo?.serverSelectionTimeoutMs ?? serverSelectionTimeoutMs;
    } catch (error) {
      if (!(error instanceof StartupError)) throw error;
      io.err(`migrate: ${error.title}:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 2;
    }
  }

  io.out(`migrate${dryRun ? ' (dry run)' : ''}: ${describe(from)} -> ${describe(to)}\n`);
  const closers: (() => Promise<void>)[] = [];
  try {
    const source = await openSqliteStore({ path: from.path });
    closers.push(() => source.close());
    const reader = new SqliteFile(from.path, { readonly: true });
    closers.push(async () => reader.close());
    const target = await openTarget(to, dryRun, serverSelectionTimeoutMs);
    closers.push(target.close);

    const report = await migrate({
      source,
      reader,
      target: target.store,
      admin: target.admin,
      dryRun,
      progress: (line) => io.err(`  ${line}\n`),
    });
    io.out(formatReport(report));
    return report.problems.length === 0 ? 0 : 1;
  } catch (error) {
    const message = error instanceof StoreError ? `${error.code}: ${error.message}` : String(error);
    io.err(`migrate: ${message}\n`);
    return 1;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  process.exitCode = await runMigrate(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
