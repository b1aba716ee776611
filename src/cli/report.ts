/**
 * `npm run report -- 2026-11 --out <dir>`: the review report of a month or a quarter (`2026-Q4`), as
 * `/summary` gives it in the staff group, written to files: `review-<period>.txt` with the text and one
 * PNG per chart (`review-<period>-1-weeks.png` …), on the store the bot is configured with (MongoDB when
 * MONGODB_URI is set, else the SQLite file under DATA_DIR). Without `--out` the files go to
 * `./review-<period>/`. The text is also printed. Exit codes: 0 written, 1 failed, 2 usage or configuration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createChartRenderer } from '../adapters/charts/renderer.js';
import { summaryPeriod } from '../app/desk/reports.js';
import { reviewReport } from '../app/desk/review.js';
import { systemClock } from '../core/ports.js';
import { type CliIo, type CliOptions, readCliConfig, runIfMain, withBot } from './staff-cli.js';

export const USAGE = `usage: npm run report -- <period> [--out <dir>]
  period: a month (2026-11) or a quarter (2026-Q4)
  --out:  where the text and the charts are written (default ./review-<period>)`;

/** Writes one period's review; returns the exit code. */
export async function runReportCli(argv: readonly string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  const args = [...argv];
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
  const [arg, ...rest] = args;
  if (!arg || arg === '--help' || arg === '-h' || rest.length > 0 || (outAt >= 0 && !out)) {
    io.out(`${USAGE}\n`);
    return arg === '--help' || arg === '-h' ? 0 : 2;
  }
  const clock = options.clock ?? systemClock;
  const config = readCliConfig('report', io, options);
  if (!config) return 2;
  const period = summaryPeriod(arg.trim(), clock.now(), config.timeZone);
  if (!period) {
    io.err(`report: "${arg}" is not a month (2026-11) or a quarter (2026-Q4)\n${USAGE}\n`);
    return 2;
  }
  const dir = resolve(out ?? `review-${period.label}`);
  const renderer = createChartRenderer();
  try {
    return await withBot('report', config, io, { ...options, clock }, async ({ app }) => {
      const report = await reviewReport(app.ctx, renderer, period);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `review-${period.label}.txt`), `${report.text}\n`);
      for (const chart of report.charts) writeFileSync(join(dir, chart.fileName), chart.png);
      io.out(`${report.text}\n\n`);
      io.err(`report: ${report.charts.length} charts and the text written to ${dir}\n`);
      return 0;
    });
  } finally {
    await renderer.close();
  }
}

await runIfMain(import.meta.url, runReportCli);
