/**
 * The application's composition root: what the adapters, `main.ts`, the CLIs and the tests construct.
 * It builds the parts once and connects them; the work is theirs:
 *
 *   inbound.ts              the one path of a message: dedupe → log → route (owner, staff, stranger group)
 *   owner/conversations.ts  the owners' conversations, which the desk, surveys and revisits reach owners by
 *   owner/messages.ts       an owner's message, and the engine's effects
 *   owner/tickets.ts        tickets from the owner's side: create, note, cancel, answers
 *   owner/emergency.ts      an emergency's call-back number and what is happening
 *   owner/front-door.ts     routes enquiries and 转人工 (to enquiries/), praise, follow-ups
 *   enquiries/              enquiries answered from the knowledge or by staff, under their own service level
 *   desk/                   the staff desk;  surveys/  satisfaction surveys;  revisits.ts  the revisit
 *   jobs.ts                 the handlers of every scheduled job
 */
import type { ChartRenderer } from '../core/ports/charts.js';
import type { Channel, Inbound } from '../core/types.js';
import { AppContext, type AppOptions } from './context.js';
import { StaffDesk } from './desk/desk.js';
import { reviewSource } from './desk/review.js';
import { Enquiries } from './enquiries/enquiries.js';
import { ReviewAutoSend } from './files/review-autosend.js';
import type { FileSources } from './files/sources.js';
import { exportedWorkbook } from './files/workbook.js';
import { IdentityLinks } from './identity.js';
import { type InboundResult, InboundRouter } from './inbound.js';
import { Intake } from './intake/intake.js';
import { Jobs } from './jobs.js';
import { type NoticeOptions, Notices } from './notices/notices.js';
import { OwnerConversations } from './owner/conversations.js';
import { FrontDoor } from './owner/front-door.js';
import { OwnerMessages } from './owner/messages.js';
import { OwnerTickets } from './owner/tickets.js';
import type { AppPart } from './parts.js';
import { Revisits } from './revisits.js';
import type { JobHandler } from './scheduler.js';
import type { SurveyOptions } from './surveys/support.js';
import { Surveys } from './surveys/surveys.js';

export type { AppOptions } from './context.js';
export type { InboundResult } from './inbound.js';
export { localeFromLanguageCode } from './owner/messages.js';
export { draftFromAnswers } from './owner/tickets.js';

export class App {
  readonly ctx: AppContext;
  readonly surveys: Surveys;
  private readonly conversations: OwnerConversations;
  private readonly router: InboundRouter;
  private readonly jobs: Jobs;
  private readonly enquiries: Enquiries;
  /** Notices (通知公告): `npm run notice` drives them through here. */
  readonly notices: Notices;

  /** The review report sent by itself on the first business morning of each month (REVIEW_AUTOSEND). */
  private readonly reviews: ReviewAutoSend;

  constructor(
    o: AppOptions & {
      surveys?: SurveyOptions;
      notices?: NoticeOptions;
      /** Where the charts and workbooks staff commands send come from (files/sources.ts). */
      files?: FileSources;
      /**
       * Draws the review's charts (/summary's album, the monthly sending) and the survey results' (/survey
       * report, the closing summary); without it those are text only.
       */
      charts?: ChartRenderer;
      /** Whether the review report goes to the staff rooms by itself; default off. */
      reviewAutoSend?: boolean;
    },
  ) {
    this.ctx = new AppContext(o);
    const ctx = this.ctx;
    const conversations = new OwnerConversations(ctx);
    this.conversations = conversations;
    // The same renderer draws the survey results for `/survey report` and the closing summary.
    this.surveys = new Surveys(ctx, conversations, o.surveys ?? { questionnaires: new Map() }, o.charts);
    // The workbook comes from the export use case unless the caller gives another source.
    const files: FileSources = {
      ticketWorkbook: exportedWorkbook(ctx),
      ...(o.charts ? { review: reviewSource(ctx, o.charts) } : {}),
      ...o.files,
    };
    const desk = new StaffDesk(ctx, conversations, files);
    this.reviews = new ReviewAutoSend(ctx, files, o.reviewAutoSend ?? false);
    const revisits = new Revisits(ctx, conversations);
    const links = new IdentityLinks(ctx);
    const enquiries = new Enquiries(ctx);
    this.enquiries = enquiries;
    const notices = new Notices(ctx, conversations, o.notices);
    this.notices = notices;
    const frontDoor = new FrontDoor(ctx, { ...enquiries.intents(), notice: notices.intent }, (tx, inbound) =>
      enquiries.staffText(tx, inbound),
    );
    const tickets = new OwnerTickets(ctx, links);
    /** Capabilities that take some messages as their own first (each file says which). */
    const extras: AppPart[] = [notices, enquiries, new Intake(ctx, conversations), this.reviews];
    const messages = new OwnerMessages(ctx, {
      conversations,
      tickets,
      frontDoor,
      links,
      surveys: this.surveys,
      revisits,
      extras,
    });
    conversations.connect({
      applyEffect: (tx, owner, address, effect, now) => messages.applyEffect(tx, owner, address, effect, now),
      pauseForTicket: (tx, owner, address, thread, notBefore) =>
        this.surveys.pauseForTicket(tx, owner, address, thread, notBefore),
      scheduleRevisit: (tx, ticket) => revisits.schedule(tx, ticket),
      revisitByPhone: (tx, ticket, given, actor) => revisits.recordByPhone(tx, ticket, given, actor),
      greetingLine: (tx, owner, now) => notices.greetingLine(tx, owner, now),
    });
    this.router = new InboundRouter(ctx, { desk, frontDoor, surveys: this.surveys, messages, extras });
    this.jobs = new Jobs(ctx, this.surveys, revisits, extras);
  }

  /**
   * Handles one inbound message or button press. A failure in handling is answered with an apology and
   * never thrown; it throws only when the message could not be recorded at all (the store is down).
   */
  async handleInbound(inbound: Inbound): Promise<InboundResult> {
    // An answer from the knowledge is phrased (a model call) before the message's transaction, never in it.
    await this.enquiries.prepare(inbound);
    try {
      return await this.router.handle(inbound);
    } finally {
      await this.enquiries.settle(inbound);
    }
  }

  /** Adds the knowledge entries staff saved to the index (start-up; otherwise done before the first message). */
  loadSavedKnowledge(): Promise<number> {
    return this.enquiries.loadSaved();
  }

  /** The handlers of every job type the application schedules. */
  jobHandlers(): Record<string, JobHandler> {
    return this.jobs.handlers();
  }

  /** Schedules the next automatic review report (start-up); when it is due, or undefined when off. */
  scheduleReviews(): Promise<Date | undefined> {
    return this.reviews.schedule(this.ctx.store);
  }

  /** Marks the owner behind a chat as unreachable (they blocked the bot or left). */
  markUnreachable(channel: Channel, chatId: string): Promise<void> {
    return this.conversations.markUnreachable(channel, chatId);
  }
}
