/**
 * The review report of a month or a quarter (step 8 of domain.md, 总结评价): the text `/summary` has
 * always given, and its charts as PNG files, ready to be sent as one album.
 *
 * HOW TO USE IT (the files/sending side, `/summary`, the monthly sending, `npm run report`):
 *
 *   const report = await reviewReport(ctx, renderer, period);
 *   // report.text   — the summary in the staff's language (what /summary says today)
 *   // report.charts — RenderedChart[]: { title, fileName, png (PNG bytes), width, height }, in album order,
 *   //                  3–6 of them: tickets per week by kind; by category and responsibility; by building
 *   //                  (when tickets name one); deadlines kept and escalations; revisit scores (when any);
 *   //                  owners' enquiries and praise (when any). None for a period without any of these.
 *
 * `period` is what `summaryPeriod(arg, now, zone)` (reports.ts) returns for `2026-11` or `2026-Q4`;
 * `reviewSource(ctx, renderer)` is the same as a `(period) => Promise<{ text, charts }>` function.
 * `renderer` is the ChartRenderer port (src/adapters/charts/createChartRenderer() in main.ts).
 *
 * What it promises: the figures are read through the store's report reads, outside any write transaction
 * (call it before the transaction that sends, never inside one), and the charts are drawn off the event
 * loop by the renderer. When the charts cannot be drawn, the report still comes back, with its text and
 * no charts (logged as a warning): the supervisor gets the summary rather than nothing.
 */
import type { ChartRenderer, RenderedChart } from '../../core/ports/charts.js';
import type { AppContext } from '../context.js';
import { summaryText } from './reports.js';
import { reviewCharts } from './review-charts.js';
import { type ReportReader, type ReviewPeriod, reviewFigures } from './review-figures.js';

export type { ReviewPeriod } from './review-figures.js';

/** A period's review: its text and its charts. */
export interface ReviewReport {
  period: ReviewPeriod;
  text: string;
  charts: RenderedChart[];
}

/** What a review needs of the application context. */
export type ReviewContext = Pick<AppContext, 'store' | 'settings' | 'policy' | 'log' | 't' | 'staffLocale'>;

/** The review of `period`: its text and charts (see the module's comment). `reader` defaults to the store. */
export async function reviewReport(
  ctx: ReviewContext,
  renderer: ChartRenderer,
  period: ReviewPeriod,
  reader: ReportReader = ctx.store,
): Promise<ReviewReport> {
  const t = (key: string, params?: Record<string, string | number>) => ctx.t(ctx.staffLocale, key, params);
  const figures = await reviewFigures(ctx, reader, period);
  const text = summaryText(t, figures, ctx.staffLocale);
  const specs = reviewCharts(t, figures, ctx.settings.timeZone);
  try {
    return { period, text, charts: await renderer.render(specs) };
  } catch (error) {
    ctx.log.warn({ err: error, period: period.label }, 'review charts could not be drawn; the text goes alone');
    return { period, text, charts: [] };
  }
}

/** {@link reviewReport} as the function of a period the sending side asks for. */
export function reviewSource(
  ctx: ReviewContext,
  renderer: ChartRenderer,
): (period: ReviewPeriod) => Promise<ReviewReport> {
  return (period) => reviewReport(ctx, renderer, period);
}
