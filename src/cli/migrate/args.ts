/**
 * The command's arguments: `--from sqlite:<path> --to <mongodb://…|mongodb+srv://…|sqlite:<path>>
 * [--dry-run]` (also `--from=X`), `--help`, and the usage line printed with any mistake. Apart from the
 * command so that every wrong argument is refused, with what is wrong, before anything is opened.
 */
import { resolve } from 'node:path';
import { redactUri } from '../../adapters/store/mongo/connection.js';

export const USAGE =
  'usage: npm run migrate -- --from sqlite:<path> --to <mongodb://…|mongodb+srv://…|sqlite:<path>> [--dry-run]';

export type Endpoint = { kind: 'sqlite'; path: string } | { kind: 'mongodb'; uri: string };

export type ParsedArgs = { help: true } | { help: false; from: Endpoint; to: Endpoint; dryRun: boolean };

/** Thrown for arguments that do not make a command; its message says what is wrong. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function endpoint(value: string, flag: string): Endpoint {
  if (/^sqlite:/i.test(value)) {
    const path = value.slice('sqlite:'.length);
    if (path === '') throw new UsageError(`${flag} sqlite: needs a path, e.g. sqlite:data/residesk.db`);
    return { kind: 'sqlite', path };
  }
  if (/^mongodb(\+srv)?:\/\/\S+$/i.test(value)) return { kind: 'mongodb', uri: value };
  throw new UsageError(`${flag} must be sqlite:<path> or a mongodb:// or mongodb+srv:// connection string`);
}

/** Parses `--from X --to Y [--dry-run]` (also `--from=X`); throws UsageError. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values: { from?: string; to?: string } = {};
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    const match = /^--(from|to)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unknown argument ${arg.startsWith('-') ? arg : JSON.stringify(arg)}`);
    const name = match[1] as 'from' | 'to';
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (values[name] !== undefined) throw new UsageError(`--${name} given twice`);
    values[name] = value;
  }
  if (values.from === undefined) throw new UsageError('--from is missing');
  if (values.to === undefined) throw new UsageError('--to is missing');
  const from = endpoint(values.from, '--from');
  const to = endpoint(values.to, '--to');
  if (from.kind !== 'sqlite')
    throw new UsageError('--from must be sqlite:<path>: the migration copies an embedded deployment');
  if (to.kind === 'sqlite' && resolve(to.path) === resolve(from.path)) {
    throw new UsageError('--from and --to name the same file');
  }
  return { help: false, from, to, dryRun };
}

/** An endpoint as the command prints it (a MongoDB password redacted). */
export function describe(end: Endpoint): string {
  return end.kind === 'sqlite' ? `sqlite:${end.path}` : redactUri(end.uri);
}
