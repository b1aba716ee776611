/**
 * A campaign's results as pictures beside its text (issue 19): `/survey report` and the closing summary
 * (the `survey.close` job and `/survey close`) carry the campaign's charts (charts.ts: answers per
 * question, each area against the previous campaign, each building) as one album with the summary's
 * first message, the way `/summary` sends the review (desk/files.ts).
 *
 * Drawing is slow, so it happens before the transaction that sends, never inside it: the close job's
 * `prepare` draws them; for a command, `Surveys.prepareCommand` — what the inbound path and the CLI call
 * before the transaction of `/survey report|close` — draws them and hands them to the command with the
 * comment themes. The bytes are saved in the sending transaction beside the outbox item that names them
 * (files/outbox.ts), so a crash loses nothing. Without a renderer, or when drawing fails (a warning in the
 * log), the text goes alone, as before.
 */
import type { ChartRenderer, RenderedChart } from '../../core/ports/charts.js';
import type { StoreTx } from '../../core/ports.js';
import type { OutboundMessage } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { chartFiles, toStaffWithFiles, withFiles } from '../files/outbox.js';
import type { SurveyReports } from './report.js';

export class SurveyPictures {
  constructor(
    private readonly ctx: AppContext,
    private readonly reports: SurveyReports,
    private readonly renderer?: ChartRenderer,
  ) {}

  /** The campaign's charts, drawn now (outside any transaction); none without a renderer or when drawing fails. */
  async draw(campaignId: string): Promise<RenderedChart[]> {
    if (!this.renderer) return [];
    try {
      return await this.reports.charts(this.renderer, campaignId);
    } catch (error) {
      this.ctx.log.warn({ err: error, campaign: campaignId }, 'survey charts could not be drawn; the text goes alone');
      return [];
    }
  }

  /**
   * The messages with the charts attached to the first (saved in `tx`), for whoever sends them: one album
   * before the text. The messages unchanged when there are no charts.
   */
  async attach(tx: StoreTx, messages: OutboundMessage[], charts: readonly RenderedChart[]): Promise<OutboundMessage[]> {
    const [first, ...rest] = messages;
    if (!first || charts.length === 0) return messages;
    return [await withFiles(this.ctx, tx, first, chartFiles(charts)), ...rest];
  }

  /** Posts the messages to every staff room, the charts with the first (each room its own copy of the bytes). */
  async toStaff(tx: StoreTx, messages: readonly OutboundMessage[], charts: readonly RenderedChart[]): Promise<void> {
    const [first, ...rest] = messages;
    if (!first) return;
    await toStaffWithFiles(this.ctx, tx, first, chartFiles(charts));
    for (const m of rest) await this.ctx.toStaff(tx, m);
  }
}
