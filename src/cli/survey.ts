/**
 * `npm run survey -- …`: satisfaction survey campaigns from the command line, on the store the bot is
 * configured with (MongoDB when MONGODB_URI is set, else the SQLite file under DATA_DIR), with the same
 * commands supervisors give in the staff group with `/survey`. It starts as the bot does (src/bootstrap.ts).
 *
 *   npm run survey -- list
 *   npm run survey -- create <questionnaire> [name…] [buildings=3,5] [start=2026-12-01] [end=2026-12-15]
 *   npm run survey -- preview <campaign>
 *   npm run survey -- start <campaign> [start=…] [end=…]
 *   npm run survey -- report <campaign>
 *   npm run survey -- close <campaign>
 *   npm run survey -- export <campaign> [--out answers.csv] [--locale zh-CN|en]
 *
 * What the staff group should see (the preview, a closing summary) is also written to the outbox for the
 * staff rooms (Telegram and WeChat), so a running bot delivers it; so is what owners are told when a campaign
 * closes under them. Invitations and reminders are sent by the bot's scheduler, not here. Exit codes: 0 done,
 * 1 refused or failed (a store that cannot be used too: nothing is written elsewhere instead), 2 usage or
 * configuration.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createChartRenderer } from '../adapters/charts/renderer.js';
import type { App } from '../app/app.js';
import { normaliseCampaignId, parseSurveyCommand } from '../app/surveys/commands.js';
import type { Surveys } from '../app/surveys/surveys.js';
import { exportCsv } from '../core/surveys/export.js';
import { isLocale, type Locale } from '../core/types.js';
import { type CliIo, type CliOptions, cliActor, readCliConfig, runIfMain, withBot } from './staff-cli.js';

export const USAGE = `usage: npm run survey -- <command>
  list
  create <questionnaire> [name…] [buildings=3,5] [start=2026-12-01] [end=2026-12-15]
  preview <campaign>
  start <campaign> [start=…] [end=…]
  report <campaign>
  close <campaign>
  export <campaign> [--out answers.csv] [--locale zh-CN|en]`;

export type SurveyCliIo = CliIo;
export type SurveyCliOptions = CliOptions;

/** Runs one survey command; returns the exit code. */
export async function runSurveyCli(
  argv: readonly string[],
  io: SurveyCliIo,
  options: SurveyCliOptions = {},
): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(`${USAGE}\n`);
    return verb ? 0 : 2;
  }
  if (!['list', 'create', 'preview', 'start', 'report', 'close', 'export'].includes(verb)) {
    io.err(`survey: unknown command "${verb}"\n${USAGE}\n`);
    return 2;
  }

  const config = readCliConfig('survey', io, options);
  if (!config) return 2;

  // The bot's wiring: its content, its store, its policy and its staff rooms (Telegram, WeChat). What
  // staff should see, and what closing a campaign tells owners, goes through the App into the outbox
  // for the running bot to deliver. The assistant (offline without a key) finds the themes of comments.
  // `close` posts the closing summary to the staff group with the campaign's charts, as in the chat (a
  // `report` here is printed, so it draws none).
  const charts = verb === 'close' ? createChartRenderer() : undefined;
  try {
    return await withBot(
      'survey',
      config,
      io,
      options,
      async ({ app, store, staffRooms }) => {
        const { ctx, surveys } = app;
        if (verb === 'export') return await exportCommand(rest, ctx, surveys, io, config.defaultLocale);

        const command = parseSurveyCommand(['/survey', verb, ...rest].join(' '));
        if (!command || command.action === 'help') {
          io.err(`survey: ${verb} needs more arguments\n${USAGE}\n`);
          return 2;
        }
        // Worked out before the transaction (a model call never holds the store).
        const prepared =
          command.action === 'report' || command.action === 'close'
            ? await surveys.prepareCommand(command.campaignId)
            : undefined;
        const result = await store.transaction((tx) => surveys.command(tx, command, cliActor(), prepared));
        for (const m of [...result.reply, ...result.posted]) io.out(`${m.text}\n`);
        if (result.posted.length > 0 && staffRooms.length > 0) io.err('(also queued for the staff group)\n');
        return result.ok ? 0 : 1;
      },
      charts,
    );
  } finally {
    await charts?.close();
  }
}

async function exportCommand(
  args: string[],
  ctx: App['ctx'],
  surveys: Surveys,
  io: SurveyCliIo,
  fallbackLocale: Locale,
): Promise<number> {
  let out: string | undefined;
  let locale: Locale = fallbackLocale;
  let id: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--out' || a === '-o') out = args[++i];
    else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a === '--locale') {
      const l = args[++i];
      if (!isLocale(l)) {
        io.err(`survey: --locale takes zh-CN or en\n${USAGE}\n`);
        return 2;
      }
      locale = l;
    } else if (!id) id = normaliseCampaignId(a);
    else {
      io.err(`survey: unexpected argument "${a}"\n${USAGE}\n`);
      return 2;
    }
  }
  if (!id || (args.some((a) => a === '--out' || a === '-o') && !out)) {
    io.err(`survey: export needs a campaign (and --out needs a file name)\n${USAGE}\n`);
    return 2;
  }
  const campaignId = id;
  const found = await ctx.store.transaction(async (tx) => {
    const campaign = await tx.getSurveyCampaign(campaignId);
    return campaign ? { campaign, responses: await tx.listSurveyResponses(campaignId) } : undefined;
  });
  if (!found) {
    io.err(`survey: there is no campaign ${campaignId}\n`);
    return 1;
  }
  const questionnaire = surveys.questionnaireFor(found.campaign);
  if (!questionnaire) {
    io.err(`survey: questionnaire "${found.campaign.questionnaireId}" of ${campaignId} is not in flows/surveys\n`);
    return 1;
  }
  const csv = exportCsv(questionnaire, found.responses, {
    timeZone: ctx.settings.timeZone,
    locale,
    bom: out !== undefined,
  });
  if (out) {
    writeFileSync(resolve(out), csv, 'utf8');
    io.err(`survey: wrote ${found.responses.length} responses of ${campaignId} to ${out}\n`);
  } else {
    io.out(csv);
  }
  return 0;
}

await runIfMain(import.meta.url, runSurveyCli);
