/**
 * The review report sent by itself (issue 19, REVIEW_AUTOSEND): on the first weekday of each month, at
 * the opening of business hours, the month just ended — and, when a quarter ended with it, that quarter —
 * go to every staff room as text with their charts, so the picture is in the group before the monthly
 * meeting. One job per occasion (`review.autosend`, keyed by the month it is for, so a restart or a second
 * process never schedules it twice); each run schedules the next. The charts are drawn before the job's
 * transaction (`prepare`), never inside it.
 */
import { DateTime } from 'luxon';
import type { Job, StoreTx } from '../../core/ports.js';
import type { AppContext } from '../context.js';
import type { AppPart } from '../parts.js';
import type { JobHandler } from '../scheduler.js';
import { chartFiles, toStaffWithFiles } from './outbox.js';
import type { FileSources, ReviewPeriod, ReviewPictures } from './sources.js';

export const REVIEW_JOB = 'review.autosend';

/**
 * The first weekday (Monday to Friday) of a month at the opening of business hours, in the estate's
 * zone: the first such morning after `after`.
 */
export function nextReviewMorning(after: Date, openingMinute: number, zone: string): Date {
  let month = DateTime.fromJSDate(after, { zone }).startOf('month');
  for (let i = 0; i < 3; i++) {
    let day = month;
    while (day.weekday > 5) day = day.plus({ days: 1 });
    const at = day.set({ hour: Math.floor(openingMinute / 60), minute: openingMinute % 60 });
    if (at.toMillis() > after.getTime()) return at.toJSDate();
    month = month.plus({ months: 1 });
  }
  throw new Error('no review morning found');
}

/** The periods a review morning reports on: the month before it, and the quarter when that month closed one. */
export function periodsEndingBefore(morning: Date, zone: string): ReviewPeriod[] {
  const end = DateTime.fromJSDate(morning, { zone }).startOf('month');
  const month = end.minus({ months: 1 });
  const periods: ReviewPeriod[] = [{ from: month.toJSDate(), to: end.toJSDate(), label: month.toFormat('yyyy-MM') }];
  if (end.month % 3 === 1) {
    const quarter = end.minus({ months: 3 });
    periods.push({
      from: quarter.toJSDate(),
      to: end.toJSDate(),
      label: `${quarter.year}-Q${Math.ceil(quarter.month / 3)}`,
    });
  }
  return periods;
}

export class ReviewAutoSend implements AppPart {
  constructor(
    private readonly ctx: AppContext,
    private readonly sources: FileSources,
    private readonly enabled: boolean,
  ) {}

  /**
   * Schedules the next review morning (start-up; a no-op when it is scheduled already, or when switched
   * off or there is no review to send). Returns when it is due.
   */
  async schedule(tx: Pick<StoreTx, 'scheduleJob'>): Promise<Date | undefined> {
    if (!this.enabled || !this.sources.review) return undefined;
    const now = this.ctx.clock.now();
    const dueAt = nextReviewMorning(now, this.ctx.policy.businessHours.start, this.ctx.settings.timeZone);
    const key = `${REVIEW_JOB}:${DateTime.fromJSDate(dueAt, { zone: this.ctx.settings.timeZone }).toFormat('yyyy-MM')}`;
    await tx.scheduleJob({ id: this.ctx.newId(), type: REVIEW_JOB, key, dueAt, payload: {} }, now);
    return dueAt;
  }

  jobHandlers(): Record<string, JobHandler> {
    const handler: JobHandler = (job, tx, prepared) => this.send(job, tx, prepared as ReviewPictures[] | undefined);
    handler.prepare = async (job) => {
      const review = this.sources.review;
      if (!this.enabled || !review) return [];
      const reviews: ReviewPictures[] = [];
      for (const period of periodsEndingBefore(job.dueAt, this.ctx.settings.timeZone))
        reviews.push(await review(period));
      return reviews;
    };
    return { [REVIEW_JOB]: handler };
  }

  private async send(job: Job, tx: StoreTx, reviews: ReviewPictures[] | undefined): Promise<void> {
    // Switched off since it was scheduled: nothing goes, and nothing more is scheduled.
    if (!this.enabled || !this.sources.review) return;
    for (const review of reviews ?? [])
      await toStaffWithFiles(this.ctx, tx, { text: review.text }, chartFiles(review.charts));
    this.ctx.log.info({ job: job.id, reports: reviews?.length ?? 0 }, 'review report sent to the staff rooms');
    await this.schedule(tx);
  }
}
