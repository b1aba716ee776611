/**
 * Where the files the bot sends come from: the review report of a period with its charts (the charts'
 * use case, app/desk/review*.ts over the ChartRenderer port) and the period's ticket workbook (the
 * export use case, app/exports/). Handed to the App by main.ts; without one, the command it serves
 * answers with text only (/summary) or says the export is not available (/export).
 */
import type { Staff } from '../../core/types.js';
import type { ReviewPeriod } from '../desk/review-figures.js';

export type { ReviewPeriod } from '../desk/review-figures.js';

/** One chart drawn as a PNG (the shape of the charts port's RenderedChart). */
export interface ChartPicture {
  title: string;
  fileName: string;
  png: Uint8Array;
}

/** The review report of a period: its text and its 3–5 charts. */
export interface ReviewPictures {
  text: string;
  charts: readonly ChartPicture[];
}

/** A period's ticket workbook, made for the supervisor who asked. */
export interface TicketWorkbook {
  fileName: string;
  bytes: Uint8Array;
  mime: string;
  /** Tickets in it (one row each). */
  tickets: number;
}

export interface FileSources {
  review?: (period: ReviewPeriod) => Promise<ReviewPictures>;
  ticketWorkbook?: (period: ReviewPeriod, requestedBy: Staff) => Promise<TicketWorkbook>;
}
