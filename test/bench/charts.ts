/**
 * The review report's charts (issue 19): "rendering a 5-chart report for a month of 10,000 tickets takes
 * under 2 s". A month of 10,000 tickets (review-month.ts) in a SQLite file, opened as the bot opens it
 * (its report reads on the report worker); then `reviewReport` on the real path: the store's queries, the
 * figures and specs, and the renderer's worker drawing the PNGs. The first report (the renderer's worker
 * starting, loading ECharts, resvg and the font) and the median of the next runs are reported; the goal
 * is held against the median, the cold one beside it. Also: the bot's event loop's longest stall while a
 * report is drawn (what an owner's message would wait), and the PNGs' sizes.
 *
 * `BENCH_ONLY=charts npm run bench` runs this section alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createChartRenderer } from '../../src/adapters/charts/renderer.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { summaryPeriod } from '../../src/app/desk/reports.js';
import { reviewReport } from '../../src/app/desk/review.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import { seedReviewMonth } from './review-month.js';

export interface ChartFigures {
  tickets: number;
  charts: number;
  coldMs: number;
  warmMedianMs: number;
  warmRuns: number[];
  /** The longest the event loop went without a turn while the warm reports were drawn. */
  longestStallMs: number;
  pngBytes: number[];
}

export async function runChartsBench(o: { root: string; tickets?: number; runs?: number }): Promise<ChartFigures> {
  const tickets = o.tickets ?? 10_000;
  const dir = mkdtempSync(join(tmpdir(), 'residesk-charts-'));
  const path = join(dir, 'residesk.db');
  seedReviewMonth({ path, tickets, monthStart: new Date('2026-10-31T16:00:00Z'), days: 30 });
  const store = await openSqliteStore({ path });
  const renderer = createChartRenderer();
  const i18n = createI18n(readLocales(join(o.root, 'locales')));
  const ctx = {
    store,
    settings: { defaultLocale: 'zh-CN' as const, timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '' },
    policy: DEFAULT_POLICY,
    log: silentLogger(),
    t: (locale: 'zh-CN' | 'en', key: string, params?: Record<string, string | number>) =>
      i18n.translate(locale, key, params),
    staffLocale: 'zh-CN' as const,
  };
  const period = summaryPeriod('2026-11', new Date('2026-12-01T00:00:00Z'), 'Asia/Shanghai');
  if (!period) throw new Error('no period');
  let longestStallMs = 0;
  let last = performance.now();
  const watch = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last - 5);
    last = now;
  }, 5);
  try {
    const timed = async () => {
      const t0 = performance.now();
      const report = await reviewReport(ctx, renderer, period);
      return { ms: performance.now() - t0, report };
    };
    const cold = await timed();
    // The stall counted from here: a report drawn once the renderer is started, as the bot draws them.
    longestStallMs = 0;
    const warm: number[] = [];
    for (let i = 0; i < (o.runs ?? 5); i++) warm.push((await timed()).ms);
    const sorted = [...warm].sort((a, b) => a - b);
    return {
      tickets,
      charts: cold.report.charts.length,
      coldMs: cold.ms,
      warmMedianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      warmRuns: warm,
      longestStallMs,
      pngBytes: cold.report.charts.map((c) => c.png.length),
    };
  } finally {
    clearInterval(watch);
    await renderer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
