/**
 * `npm run notice -- …`: notices (通知公告) from the command line, on the store the bot is configured with
 * (MongoDB when MONGODB_URI is set, else the SQLite file under DATA_DIR), with the same words staff use
 * with `/notice` in the staff group. It starts as the bot does (src/bootstrap.ts), and acts with a
 * supervisor's rights (whoever runs it has the server).
 *
 *   npm run notice -- list
 *   npm run notice -- 停水 3,5,7 12-08 9:00-17:00 因主管道检修停水，请提前储水。 EN: Water off for repairs.
 *   npm run notice -- N001                     sent / read counts and who read it
 *   npm run notice -- preview N001
 *   npm run notice -- publish N001
 *   npm run notice -- correct N001 <text>
 *   npm run notice -- cancel N001 [reason]
 *
 * The preview, the publishing and what is corrected or withdrawn are also written to the outbox for the
 * staff rooms, so the group sees them; owners are sent notices by the bot's scheduler, not here. Exit
 * codes: 0 done, 1 refused or failed, 2 usage or configuration.
 */
import { parseNoticeCommand } from '../core/notices/command.js';
import { systemClock } from '../core/ports.js';
import { type CliIo, type CliOptions, cliActor, readCliConfig, runIfMain, withBot } from './staff-cli.js';

export const USAGE = `usage: npm run notice -- <command>
  list
  <kind> <target> <period> [urgent] [send=2026-12-07T18:00] [noremind] <text> [EN: <text>]
      kinds: 停水 停电 停气 停暖 消杀 换表 天气 施工 活动 业委会 其他 (water power gas heating pest meter weather works event committee other)
      target: all, or buildings and units: 3,5,7 or 3-2
      period: 12-08 9:00-17:00, 明天 9:00-17:00, 12-08~12-10
  <notice>                sent and read counts
  preview <notice>
  publish <notice>
  correct <notice> <text>
  cancel <notice> [reason]`;

export type NoticeCliIo = CliIo;
export type NoticeCliOptions = CliOptions;

/** Runs one notice command; returns the exit code. */
export async function runNoticeCli(
  argv: readonly string[],
  io: NoticeCliIo,
  options: NoticeCliOptions = {},
): Promise<number> {
  const [verb] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(`${USAGE}\n`);
    return verb ? 0 : 2;
  }
  const clock = options.clock ?? systemClock;
  const config = readCliConfig('notice', io, options);
  if (!config) return 2;
  const command = parseNoticeCommand(['/notice', ...argv].join(' '), clock.now(), config.timeZone);
  if (!command || command.action === 'help' || command.action === 'compose') {
    io.err(`notice: "${argv.join(' ')}" is not a notice command\n${USAGE}\n`);
    return 2;
  }

  return withBot('notice', config, io, { ...options, clock }, async ({ app, store, staffRooms }) => {
    const result = await store.transaction((tx) => app.notices.cli(tx, command, cliActor()));
    for (const m of result.reply) io.out(`${m.text}\n`);
    const shared = ['create', 'preview', 'publish', 'correct', 'cancel'].includes(command.action);
    if (result.ok && shared && staffRooms.length > 0) io.err('(also queued for the staff group)\n');
    return result.ok ? 0 : 1;
  });
}

await runIfMain(import.meta.url, runNoticeCli);
