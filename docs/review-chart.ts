/**
 * Draws docs/review-chart.png, the chart README shows: the review report of a seeded November 2026 (600
 * tickets, test/bench/review-month.ts, deterministic) through the real path (the SQLite store's report
 * reads, the review's figures and specs, the chart renderer), keeping its second chart (tickets by
 * category and responsibility). Run `npx tsx docs/review-chart.ts` to draw it again; every chart of that month is written
 * beside it under docs/review-2026-11/ only with `--all`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createI18n, readLocales } from '../src/i18n.js';
import { createChartRenderer } from '../src/adapters/charts/renderer.js';
import { openSqliteStore } from '../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../src/app/context.js';
import { summaryPeriod } from '../src/app/desk/reports.js';
import { reviewReport } from '../src/app/desk/review.js';
import { silentLogger } from '../src/logger.js';
import { seedReviewMonth } from '../test/bench/review-month.js';

const docs = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'review-chart-'));
const path = join(dir, 'residesk.db');
seedReviewMonth({ path, tickets: 600, monthStart: new Date('2026-10-31T16:00:00Z'), days: 30 });
const store = await openSqliteStore({ path });
const renderer = createChartRenderer();
const i18n = createI18n(readLocales(join(docs, '..', 'locales')));
try {
  const period = summaryPeriod('2026-11', new Date('2026-12-01T00:00:00Z'), 'Asia/Shanghai');
  if (!period) throw new Error('no period');
  const report = await reviewReport(
    {
      store,
      settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '' },
      policy: DEFAULT_POLICY,
      log: silentLogger(),
      t: (locale, key, params) => i18n.translate(locale, key, params),
      staffLocale: 'zh-CN',
    },
    renderer,
    period,
  );
  const shown = report.charts[1];
  if (!shown) throw new Error('no chart drawn');
  writeFileSync(join(docs, 'review-chart.png'), shown.png);
  if (process.argv.includes('--all')) {
    mkdirSync(join(docs, 'review-2026-11'), { recursive: true });
    for (const c of report.charts) writeFileSync(join(docs, 'review-2026-11', c.fileName), c.png);
    writeFileSync(join(docs, 'review-2026-11', 'review-2026-11.txt'), `${report.text}\n`);
  }
  process.stdout.write(`${report.text}\n\n${report.charts.length} charts; docs/review-chart.png written\n`);
} finally {
  await renderer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
