/**
 * Charts as pictures (the review report of step 8 and the survey results): the application describes a
 * chart in neutral terms (what kind, its title, categories, series, an optional target line) and a
 * renderer turns a batch of them into PNG files. Nothing here names a charting library; the adapter
 * (src/adapters/charts/) chooses how they are drawn and which font draws the Chinese labels.
 */

/** The kinds of chart the reports draw. */
export const CHART_KINDS = ['bar', 'line', 'stacked', 'pie'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** One series: a value per category, in the categories' order (a pie draws its first series only). */
export interface ChartSeries {
  name: string;
  values: number[];
}

/** A chart as the application describes it: every text already in the reader's language. */
export interface ChartSpec {
  kind: ChartKind;
  /** The file's name without its extension: letters, digits and dashes (e.g. `review-2026-11-volume`). */
  name: string;
  title: string;
  /** A line under the title (a period, an average). */
  subtitle?: string;
  categories: string[];
  series: ChartSeries[];
  /** Bars laid along the vertical axis (long category names, many categories). */
  horizontal?: boolean;
  /** The value axis's name (e.g. 件, %). */
  unit?: string;
  /** A horizontal (or, for horizontal bars, vertical) line at a goal or a reference value. */
  target?: { value: number; label: string };
  /** The value axis's upper bound (100 for percentages); free when absent. */
  max?: number;
}

/** One chart drawn: the PNG's bytes and what a channel needs to send it as a file. */
export interface RenderedChart {
  title: string;
  /** `<spec.name>.png`. */
  fileName: string;
  png: Uint8Array;
  width: number;
  height: number;
}

/** Draws charts. Rendering never holds the caller's event loop for long (the adapter runs it elsewhere). */
export interface ChartRenderer {
  /** The charts in the order of `specs`; rejects with a {@link ChartRenderError} when they cannot be drawn. */
  render(specs: readonly ChartSpec[]): Promise<RenderedChart[]>;
  /** Releases what the renderer holds (its thread); rendering after close starts it again. */
  close(): Promise<void>;
}

/** Charts could not be drawn (the renderer's thread failed, a library is missing). */
export class ChartRenderError extends Error {
  readonly code = 'CHART_RENDER_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChartRenderError';
  }
}
