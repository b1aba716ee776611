/**
 * Satisfaction survey campaigns (满意度调查), the nine steps of domain.md, as one entry point for the App,
 * the CLI and the tests. The work is done by small services, each usable on its own:
 *
 * - `campaigns` (campaigns.ts): create, preview, start, close; the `survey.close` job.
 * - `outreach` (outreach.ts): invitation and reminder batches, withdrawal; the other survey jobs.
 * - `owners` (owners.ts): answers, the owner's words about surveys, pauses for a report or a ticket.
 * - `reports` (report.ts): the list, analysis, the summary for staff, themes.
 * - `pictures` (pictures.ts): the campaign's charts beside the report and the closing summary.
 * - `commands` (commands.ts): `/survey …` and the survey buttons, run for staff.
 *
 * The methods below only pass calls on to them.
 */
import type { FlowContext, FlowEffect } from '../../core/flow/engine.js';
import type { AnswerValue, ConversationState } from '../../core/flow/state.js';
import type { AnswerSummary } from '../../core/ports/assistant.js';
import type { ChartRenderer } from '../../core/ports/charts.js';
import type { StoreTx, SurveyCampaign, Thread } from '../../core/ports.js';
import type { Questionnaire } from '../../core/surveys/questionnaire.js';
import type { OwnerSurveyWord } from '../../core/surveys/words.js';
import type { Address, Owner } from '../../core/types.js';
import type { Understanding } from '../../core/understand/understanding.js';
import type { AppContext } from '../context.js';
import type { SurveyOwners } from '../owner/conversations.js';
import type { JobHandler } from '../scheduler.js';
import { SurveyCampaigns } from './campaigns.js';
import { type SurveyCommand, type SurveyCommandResult, SurveyCommands, type SurveyPrepared } from './commands.js';
import { SurveyOutreach } from './outreach.js';
import { type SurveyAnswerResult, SurveyOwnerSide } from './owners.js';
import { SurveyPictures } from './pictures.js';
import { SurveyReports } from './report.js';
import { type SurveyOptions, SurveySupport } from './support.js';

export class Surveys {
  readonly campaigns: SurveyCampaigns;
  readonly outreach: SurveyOutreach;
  readonly owners: SurveyOwnerSide;
  readonly reports: SurveyReports;
  readonly commands: SurveyCommands;
  readonly pictures: SurveyPictures;
  private readonly kit: SurveySupport;

  /** `charts` draws the campaign's charts for the report and the closing summary; without it they are text only. */
  constructor(ctx: AppContext, owners: SurveyOwners, opts: SurveyOptions, charts?: ChartRenderer) {
    this.kit = new SurveySupport(ctx, opts);
    this.reports = new SurveyReports(this.kit);
    this.pictures = new SurveyPictures(ctx, this.reports, charts);
    this.outreach = new SurveyOutreach(this.kit, owners);
    this.campaigns = new SurveyCampaigns(this.kit, this.outreach, this.reports, this.pictures);
    this.owners = new SurveyOwnerSide(this.kit, owners);
    this.commands = new SurveyCommands(this.kit, this.campaigns, this.reports, this.pictures);
  }

  /** The job handlers to register with the scheduler (App.jobHandlers). */
  jobHandlers(): Record<string, JobHandler> {
    return { ...this.outreach.jobHandlers(), ...this.campaigns.jobHandlers() };
  }

  /** The questionnaire a campaign runs (undefined when it is no longer in flows/surveys). */
  questionnaireFor(c: SurveyCampaign): Questionnaire | undefined {
    return this.kit.questionnaireFor(c);
  }

  /** See `SurveyCommands.command`. */
  command(tx: StoreTx, cmd: SurveyCommand, by: string, prepared?: SurveyPrepared): Promise<SurveyCommandResult> {
    return this.commands.command(tx, cmd, by, prepared);
  }

  /** The themes of owners' comments (`SurveyReports.themesFor`), worked out outside any transaction. */
  themesFor(campaignId: string): Promise<AnswerSummary | undefined> {
    return this.reports.themesFor(campaignId);
  }

  /**
   * What `/survey report|close` works out before its transaction (the inbound path and the CLI call it),
   * handed to {@link command}: the themes of owners' comments and the campaign's charts (pictures.ts).
   */
  async prepareCommand(campaignId: string): Promise<SurveyPrepared> {
    const [themes, charts] = await Promise.all([this.reports.themesFor(campaignId), this.pictures.draw(campaignId)]);
    return { ...(themes ? { themes } : {}), charts };
  }

  /** See `SurveyReports.report`. */
  report(tx: StoreTx, campaignOrId: SurveyCampaign | string, themes?: AnswerSummary) {
    return this.reports.report(tx, campaignOrId, themes);
  }

  /** See `SurveyReports.analyseCampaign`. */
  analyseCampaign(tx: StoreTx, c: SurveyCampaign, compare = true) {
    return this.reports.analyseCampaign(tx, c, compare);
  }

  /** See `SurveyOwnerSide.recordAnswer`. */
  recordAnswer(
    tx: StoreTx,
    owner: Owner,
    effect: Pick<FlowEffect, 'flowId' | 'answers' | 'context'>,
    address?: Address,
  ): Promise<SurveyAnswerResult> {
    return this.owners.recordAnswer(tx, owner, effect, address);
  }

  /** See `SurveyOwnerSide.flowCancelled`. */
  flowCancelled(
    tx: StoreTx,
    owner: Owner,
    effect: { flowId: string; answers: Record<string, AnswerValue>; context: FlowContext },
  ): Promise<void> {
    return this.owners.flowCancelled(tx, owner, effect);
  }

  /** See `SurveyOwnerSide.mayHoldReport`. */
  mayHoldReport(state: ConversationState, text: string): boolean {
    return this.owners.mayHoldReport(state, text);
  }

  /** See `SurveyOwnerSide.pauseForReport`. */
  pauseForReport(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    thread: Thread,
    text: string,
    u: Understanding,
  ): Promise<Thread | undefined> {
    return this.owners.pauseForReport(tx, owner, address, thread, text, u);
  }

  /** See `SurveyOwnerSide.pauseForTicket`. */
  pauseForTicket(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    thread: Thread,
    notBefore?: Date,
  ): Promise<Thread | undefined> {
    return this.owners.pauseForTicket(tx, owner, address, thread, notBefore);
  }

  /** See `SurveyOwnerSide.ownerWord`. */
  ownerWord(tx: StoreTx, owner: Owner, address: Address, word: OwnerSurveyWord): Promise<void> {
    return this.owners.ownerWord(tx, owner, address, word);
  }
}
