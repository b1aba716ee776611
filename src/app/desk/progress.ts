/**
 * The work towards a resolution (steps 4 to 6 of domain.md): a plan the owner is asked to agree to, a visit
 * time they are asked to confirm (with reminders an hour before), and the resolution, which the revisit
 * follows. Each replaces the owner's unanswered question it overtakes.
 */
import type { StoreTx } from '../../core/ports.js';
import { type Actor, type Ticket, transition } from '../../core/tickets/ticket.js';
import type { ResolveConcern } from '../../core/tickets/timeline.js';
import { lastAllowedBefore } from '../../core/time.js';
import type { Inbound } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { formatBusinessTime, formatTime } from '../render.js';
import { parseStaffTime } from '../staff-time.js';
import { DeskPart } from './support.js';

export class Progress extends DeskPart {
  async plan(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string) {
    const plan = text.trim();
    if ([...plan].length < 4) {
      await this.say(tx, inbound, this.t('desk.plan_usage', { number: ticket.number }));
      return {};
    }
    const now = this.ctx.clock.now();
    const r = transition(ticket, 'propose_plan', actor, now, { plan }, plan);
    if (!r.ok) return {};
    // A plan after the site visit: the visit's time question, if still unanswered, is over.
    const visited = ticket.status === 'scheduled' && (ticket.scheduledFor?.getTime() ?? 0) <= now.getTime();
    await this.changes.apply(tx, {
      ticket: r.ticket,
      // A revised plan replaces the question about the one before.
      withdraw: ticket.status === 'awaiting_agreement' ? ['plan'] : visited ? ['appointment'] : [],
      // Back at work without a new acceptance: stop timing acceptance, time the resolution.
      deadlines: ticket.status === 'reopened' ? 'restart' : ['progress'],
      owner: { flow: 'plan', context: { number: ticket.number, plan, name: actor.type === 'staff' ? actor.name : '' } },
      replyIn: inbound,
    });
    return {};
  }

  async schedule(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string) {
    const now = this.ctx.clock.now();
    const parsed = parseStaffTime(text, now, this.ctx.settings.timeZone);
    if (!parsed || parsed.at.getTime() <= now.getTime()) {
      await this.say(tx, inbound, this.t('desk.schedule_usage', { number: ticket.number }));
      return {};
    }
    const zone = this.ctx.settings.timeZone;
    if (parsed.smallHours) {
      // 明天3点 is nearly always 15:00: ask, rather than invite the owner to a visit at 03:00.
      const hour = Number(formatBusinessTime(parsed.at, zone).slice(11, 13));
      await this.say(
        tx,
        inbound,
        this.t('desk.schedule_small_hours', {
          number: ticket.number,
          time: formatBusinessTime(parsed.at, zone).slice(11),
          hour,
          afternoon: hour + 12,
        }),
      );
      return {};
    }
    // The owner reads the time in their own language; `at` lets their answer be matched to it exactly.
    const owner = await tx.getOwner(ticket.ownerId);
    const when = formatTime(parsed.at, owner?.locale ?? this.ctx.settings.defaultLocale, zone);
    const r = transition(ticket, 'schedule', actor, now, { scheduledFor: parsed.at }, parsed.rest || undefined, {
      at: parsed.at.toISOString(),
    });
    if (!r.ok) return {};
    await this.changes.apply(tx, {
      ticket: r.ticket,
      // A new time replaces the question about the old one (or about a plan agreed meanwhile by phone).
      withdraw: overtaken(ticket),
      // Progress is reported, and the resolution is timed from the agreed time.
      deadlines: 'restart',
      owner: {
        flow: 'appointment',
        context: {
          number: ticket.number,
          time: when,
          at: parsed.at.toISOString(),
          note: parsed.rest,
          name: actor.type === 'staff' ? actor.name : '',
        },
      },
      replyIn: inbound,
    });
    await scheduleAppointmentReminders(this.ctx, tx, r.ticket, parsed.at);
    return {};
  }

  /**
   * Resolves the ticket. While responsibility is still 待确定, or before the agreed visit time, it asks
   * "resolve anyway?" first: the staff member answers `确认 reason` (their next message, or
   * `/resolve T… 确认 …`), and the reason is the resolution on the timeline, marked with what was confirmed.
   */
  async resolve(tx: StoreTx, inbound: Inbound, ticket: Ticket, actor: Actor, text: string, photo?: string) {
    const now = this.ctx.clock.now();
    const confirmed = CONFIRM.exec(text.trim());
    const note = confirmed ? text.trim().slice(confirmed[0].length).trim() : text.trim();
    if ([...note].length < 2) {
      await this.say(
        tx,
        inbound,
        this.t(confirmed ? 'worksteps.resolve.reason_needed' : 'desk.resolve_usage', { number: ticket.number }),
      );
      if (confirmed && actor.type === 'staff') await this.sessions.open(tx, actor.id, 'resolve', ticket.number);
      return {};
    }
    const concerns = resolveConcernsOf(ticket, now);
    if (concerns.length > 0 && !confirmed) return this.askToConfirm(tx, inbound, ticket, actor, concerns);
    const data = {
      ...(photo ? { photo } : {}),
      ...(concerns.length > 0 ? { confirmedOver: concerns } : {}),
    };
    const r = transition(
      ticket,
      'resolve',
      actor,
      now,
      { resolution: note },
      note,
      Object.keys(data).length > 0 ? data : undefined,
    );
    if (!r.ok) return {};
    await this.changes.apply(tx, {
      ticket: r.ticket,
      // Done: a plan or a visit time still waiting for the owner's answer no longer needs one.
      withdraw: overtaken(ticket),
      deadlines: 'stop',
      owner: {
        notify: 'owner.resolved',
        params: { number: ticket.number, note },
        ...(photo ? { photos: [photo] } : {}),
      },
      replyIn: inbound,
    });
    await tx.cancelJobs(`appointment:${ticket.id}:staff`, this.ctx.clock.now());
    await tx.cancelJobs(`appointment:${ticket.id}:owner`, this.ctx.clock.now());
    await this.owners.scheduleRevisit(tx, r.ticket);
    return {};
  }

  /** "Resolve anyway?": what is not settled, and how to go ahead; their next message is the answer. */
  private async askToConfirm(
    tx: StoreTx,
    inbound: Inbound,
    ticket: Ticket,
    actor: Actor,
    concerns: readonly ResolveConcern[],
  ) {
    const time = ticket.scheduledFor
      ? formatTime(ticket.scheduledFor, this.ctx.staffLocale, this.ctx.settings.timeZone)
      : '';
    const reasons = concerns.map((c) => this.t(`worksteps.resolve.concern_${c}`, { time })).join('\n');
    if (actor.type === 'staff') await this.sessions.open(tx, actor.id, 'resolve', ticket.number);
    await this.say(tx, inbound, this.t('worksteps.resolve.confirm', { number: ticket.number, reasons }), ticket);
    return { ack: { text: '' } };
  }
}

/** `确认 …` / `confirm …`: the answer to "resolve anyway?". */
const CONFIRM = /^(?:确认|仍要办结|仍然办结|confirm)(?:[\s:：,，、]+|$)/i;

/** What is not settled yet when a ticket is resolved: responsibility unknown, or the agreed visit still to come. */
export function resolveConcernsOf(ticket: Ticket, now: Date): ResolveConcern[] {
  const concerns: ResolveConcern[] = [];
  if (ticket.responsibility === 'unknown') concerns.push('responsibility');
  if (ticket.scheduledFor && ticket.scheduledFor.getTime() > now.getTime()) concerns.push('before_visit');
  return concerns;
}

/** The owner's unanswered questions about a ticket that a new time or a resolution overtakes. */
function overtaken(ticket: Ticket): string[] {
  if (ticket.status === 'scheduled') return ['appointment'];
  if (ticket.status === 'awaiting_agreement') return ['plan'];
  return [];
}

/** Reminders an hour before an agreed time: to the group (mentioning the accountable person) and to the owner, never at night. */
async function scheduleAppointmentReminders(ctx: AppContext, tx: StoreTx, ticket: Ticket, at: Date): Promise<void> {
  const now = ctx.clock.now();
  const before = new Date(at.getTime() - 3_600_000);
  const staffAt = before.getTime() > now.getTime() ? before : now;
  const ownerAt = lastAllowedBefore(staffAt, ctx.policy.quietHours, ctx.settings.timeZone);
  for (const [who, due] of [
    ['staff', staffAt],
    ['owner', ownerAt.getTime() > now.getTime() ? ownerAt : now],
  ] as const) {
    const key = `appointment:${ticket.id}:${who}`;
    await tx.cancelJobs(key, now);
    await tx.scheduleJob(
      {
        id: ctx.newId(),
        type: 'appointment.remind',
        dueAt: due,
        key,
        payload: { ticketId: ticket.id, who, at: at.toISOString() },
      },
      now,
    );
  }
}
