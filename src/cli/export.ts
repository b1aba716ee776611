/**
 * `npm run export -- tickets <period> …`: the archive of a month's or quarter's tickets as an XLSX workbook
 * (default) or a CSV file, from the store the bot is configured with (src/app/exports/tickets.ts).
 *
 *   npm run export -- tickets 2026-11
 *   npm run export -- tickets 2026-Q4 --format csv --out q4.csv
 *   npm run export -- tickets 2026-11 --unmasked --as telegram:12345     (a supervisor's or manager's staff id)
 *
 * Personal data is masked unless `--unmasked` names, with `--as`, an active supervisor or manager; every
 * export is on the audit log (the unmasked one as a reveal, by that person, from `cli`). Prints the file's
 * path and its number of rows. Exit codes: 0 written, 1 refused or failed, 2 usage or configuration.
 */
import { resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, exportTickets } from '../app/exports/tickets.js';
import { systemClock } from '../core/ports.js';
import { type CliIo, type CliOptions, cliActor, readCliConfig, runIfMain, withBot } from './staff-cli.js';

export const USAGE = `usage: npm run export -- tickets <period> [--format xlsx|csv] [--out <file>] [--unmasked --as <staff id>]
  period: a month (2026-11) or a quarter (2026-Q4), in the business time zone
  --unmasked shows owners' names, phones and flats: only for a supervisor or manager named by --as`;

interface ExportArgs {
  period: string;
  format: ExportFormat;
  out?: string;
  unmasked: boolean;
  as?: string;
}

/** Reads the arguments; a string is the problem to print. */
export function parseExportArgs(argv: readonly string[]): ExportArgs | string {
  const [what, period, ...rest] = argv;
  if (what !== 'tickets') return `unknown export "${what ?? ''}" (only tickets)`;
  if (!period || period.startsWith('--')) return 'the period is missing (2026-11 or 2026-Q4)';
  const args: ExportArgs = { period, format: 'xlsx', unmasked: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (flag === '--unmasked') args.unmasked = true;
    else if ((flag === '--format' || flag === '--out' || flag === '--as') && value && !value.startsWith('--')) {
      i += 1;
      if (flag === '--format') {
        if (!(EXPORT_FORMATS as readonly string[]).includes(value))
          return `--format must be xlsx or csv, not "${value}"`;
        args.format = value as ExportFormat;
      } else if (flag === '--out') args.out = value;
      else args.as = value;
    } else return `cannot read "${flag}"`;
  }
  if (args.unmasked && !args.as) return '--unmasked needs --as <staff id> of a supervisor or manager';
  if (args.as && !args.unmasked) return '--as is only for --unmasked';
  return args;
}

/** Runs one export; returns the exit code. */
export async function runExportCli(argv: readonly string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  if (argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(`${USAGE}\n`);
    return argv[0] === undefined ? 2 : 0;
  }
  const args = parseExportArgs(argv);
  if (typeof args === 'string') {
    io.err(`export: ${args}\n${USAGE}\n`);
    return 2;
  }
  const clock = options.clock ?? systemClock;
  const config = readCliConfig('export', io, options);
  if (!config) return 2;
  return withBot('export', config, io, { ...options, clock }, async ({ app }) => {
    const started = Date.now();
    const result = await exportTickets(app.ctx, {
      period: args.period,
      format: args.format,
      requester: args.as ?? cliActor(),
      unmasked: args.unmasked,
      via: 'cli',
      ...(args.out ? { out: { path: resolve(args.out) } } : {}),
    });
    if (!result.ok) {
      io.err(
        result.reason === 'bad_period'
          ? `export: "${args.period}" is not a month (2026-11) or a quarter (2026-Q4)\n`
          : `export: ${args.as} is not an active supervisor or manager: nothing was written\n`,
      );
      return result.reason === 'bad_period' ? 2 : 1;
    }
    io.out(
      `${result.path ?? ''}\n${result.rows} tickets, ${result.period.label}, ${result.masked ? 'masked' : 'UNMASKED (on the audit log)'}, ${Date.now() - started} ms\n`,
    );
    return 0;
  });
}

await runIfMain(import.meta.url, runExportCli);
