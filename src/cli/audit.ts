/**
 * `npm run audit -- …`: who did what, from the audit log of the store the bot is configured with, oldest
 * first, one line per entry (time in the business zone, actor, action, subject, channel, detail).
 *
 *   npm run audit -- --since 7d
 *   npm run audit -- --since 2026-11-01 --until 2026-12-01 --actor telegram:12345
 *   npm run audit -- --ticket T261128-0007
 *   npm run audit -- --action reveal            (every reveal: 📞 phone numbers, unmasked exports)
 *
 * `--since` and `--until` take a duration back from now (7d, 12h) or a date (2026-11-01, in the business
 * zone); `--limit` caps the lines (default 1000); `--json` prints one JSON entry per line. Exit codes:
 * 0 printed (even nothing), 1 the store failed, 2 usage or configuration.
 */
import { DateTime } from 'luxon';
import { parseDuration } from '../core/duration.js';
import { type AuditEntry, type AuditQuery, auditEntries, systemClock } from '../core/ports.js';
import { type CliIo, type CliOptions, readCliConfig, runIfMain, withBot } from './staff-cli.js';

export const USAGE = `usage: npm run audit -- [--since 7d|2026-11-01] [--until …] [--actor <id>] [--ticket T…|--subject <id>] [--action <action or family>] [--limit N] [--json]`;

interface AuditArgs {
  since?: string;
  until?: string;
  actor?: string;
  subject?: string;
  action?: string;
  limit: number;
  json: boolean;
}

/** Reads the arguments; a string is the problem to print. */
export function parseAuditArgs(argv: readonly string[]): AuditArgs | string {
  const args: AuditArgs = { limit: 1000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--json') {
      args.json = true;
      continue;
    }
    if (!value || value.startsWith('--')) return `${flag} needs a value`;
    i += 1;
    if (flag === '--since') args.since = value;
    else if (flag === '--until') args.until = value;
    else if (flag === '--actor') args.actor = value;
    else if (flag === '--ticket' || flag === '--subject')
      args.subject = flag === '--ticket' ? value.toUpperCase() : value;
    else if (flag === '--action') args.action = value;
    else if (flag === '--limit' && /^\d+$/.test(value) && Number(value) > 0) args.limit = Number(value);
    else return `cannot read "${flag} ${value}"`;
  }
  return args;
}

/** `7d` back from `now`, or a date / date-time in `zone`. */
export function readInstant(text: string, now: Date, zone: string): Date | undefined {
  const back = parseDuration(text);
  if (back !== undefined) return new Date(now.getTime() - back);
  const at = DateTime.fromISO(text, { zone });
  return at.isValid ? at.toJSDate() : undefined;
}

function line(e: AuditEntry, zone: string): string {
  const time = DateTime.fromJSDate(e.at, { zone }).toFormat('yyyy-MM-dd HH:mm:ss');
  const who = e.actor.name ? `${e.actor.id} (${e.actor.name}${e.actor.role ? `, ${e.actor.role}` : ''})` : e.actor.id;
  const detail = e.detail
    ? ` ${Object.entries(e.detail)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : '';
  return `${time}  ${who}  ${e.action}${e.subject ? ` ${e.subject.id}` : ''}  via ${e.via}${detail}`;
}

/** Prints the entries that match; returns the exit code. */
export async function runAuditCli(argv: readonly string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const args = parseAuditArgs(argv);
  if (typeof args === 'string') {
    io.err(`audit: ${args}\n${USAGE}\n`);
    return 2;
  }
  const clock = options.clock ?? systemClock;
  const config = readCliConfig('audit', io, options);
  if (!config) return 2;
  const query: AuditQuery = {};
  for (const [key, text] of [
    ['since', args.since],
    ['until', args.until],
  ] as const) {
    if (text === undefined) continue;
    const at = readInstant(text, clock.now(), config.timeZone);
    if (!at) {
      io.err(`audit: --${key} "${text}" is neither a duration (7d) nor a date (2026-11-01)\n`);
      return 2;
    }
    query[key] = at;
  }
  if (args.actor) query.actorId = args.actor;
  if (args.subject) query.subjectId = args.subject;
  if (args.action) query.action = args.action;
  return withBot('audit', config, io, { ...options, clock }, async ({ store }) => {
    let n = 0;
    for await (const e of auditEntries(store, query, Math.min(args.limit, 500))) {
      io.out(`${args.json ? JSON.stringify(e) : line(e, config.timeZone)}\n`);
      if (++n >= args.limit) break;
    }
    if (!args.json) io.err(`${n} entr${n === 1 ? 'y' : 'ies'}\n`);
    return 0;
  });
}

await runIfMain(import.meta.url, runAuditCli);
