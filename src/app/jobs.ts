/**
 * The handlers of every job type the application schedules: the surveys' jobs, the service-level timers,
 * appointment reminders, the revisit's steps and the card summary of a long description.
 */
import type { Job, StoreTx } from '../core/ports.js';
import { isOpen } from '../core/tickets/ticket.js';
import type { AppContext } from './context.js';
import { runEmergencyRepeat, runSlaCheck } from './deadlines.js';
import { assigneeMention } from './owner/tickets.js';
import type { AppPart } from './parts.js';
import { formatTime } from './render.js';
import type { Revisits } from './revisits.js';
import type { JobHandler } from './scheduler.js';
import type { Surveys } from './surveys/surveys.js';

export class Jobs {
  constructor(
    private readonly ctx: AppContext,
    private readonly surveys: Surveys,
    private readonly revisits: Revisits,
    private readonly extras: readonly AppPart[] = [],
  ) {}

  /** The handlers of every job type the application schedules. */
  handlers(): Record<string, JobHandler> {
    return {
      ...this.surveys.jobHandlers(),
      ...Object.assign({}, ...this.extras.map((p) => p.jobHandlers?.() ?? {})),
      'sla.check': (job, tx) => runSlaCheck(this.ctx, tx, job),
      'sla.repeat': (job, tx) => runEmergencyRepeat(this.ctx, tx, job),
      'appointment.remind': (job, tx) => this.appointmentReminder(job, tx),
      'revisit.start': (job, tx) => this.revisits.start(job, tx),
      'revisit.remind': (job, tx) => this.revisits.remind(job, tx),
      'revisit.expire': (job, tx) => this.revisits.expire(job, tx),
      'revisit.supervisor': (job, tx) => this.revisits.supervisorCheck(job, tx),
      'ticket.summary': this.summaryJob(),
    };
  }

  /** Job `ticket.summary`: the model's one-line summary of a long description, put on the card. */
  private summaryJob(): JobHandler {
    const handler: JobHandler = async (job, tx, prepared) => {
      const ticket = await tx.getTicket(String(job.payload.ticketId));
      if (!ticket || typeof prepared !== 'string' || !prepared) return;
      const updated = { ...ticket, summary: prepared };
      await tx.saveTicket(updated);
      await this.ctx.updateCard(tx, updated);
    };
    handler.prepare = async (job) => {
      const ticket = await this.ctx.store.getTicket(String(job.payload.ticketId));
      return ticket ? this.ctx.assistant?.summariseForCard(ticket.description, this.ctx.staffLocale) : undefined;
    };
    return handler;
  }

  private async appointmentReminder(job: Job, tx: StoreTx): Promise<void> {
    const { ticketId, who, at } = job.payload as { ticketId: string; who: 'staff' | 'owner'; at: string };
    const ticket = await tx.getTicket(ticketId);
    // Still the agreed time of an open ticket (a plan proposed after booking the visit keeps the visit).
    if (!ticket || !isOpen(ticket.status) || ticket.scheduledFor?.toISOString() !== at) return;
    const zone = this.ctx.settings.timeZone;
    if (who === 'owner') {
      const owner = await tx.getOwner(ticket.ownerId);
      if (owner && !owner.unreachable) {
        const time = formatTime(new Date(at), owner.locale, zone);
        await this.ctx.sendTo(tx, ticket.origin, {
          text: this.ctx.t(owner.locale, 'owner.appointment_reminder', { number: ticket.number, time }),
        });
      }
      return;
    }
    const mention = await assigneeMention(tx, ticket);
    await this.ctx.toStaff(tx, {
      text: this.ctx.t(this.ctx.staffLocale, 'desk.appointment_reminder', {
        number: ticket.number,
        time: formatTime(new Date(at), this.ctx.staffLocale, zone),
        who: mention.mentions?.map((m) => `@${m.name}`).join(' ') ?? '',
      }),
      replyToRef: `card:${ticket.number}`,
      ...mention,
    });
  }
}
