/**
 * Service-level timers as durable jobs: reminders in the group at 50% and 80% of a deadline mentioning
 * the accountable person, escalation to supervisors at 100% and to managers at 200%; emergencies are
 * alerted again every accept period until someone accepts them. An emergency's repeat alert falls on the
 * same moment as its acceptance escalations (both run from when it came in, every accept period): the
 * room gets one message for that moment, the repeat's, which carries the escalation (its deadline, the
 * supervisors or managers); the checkpoint itself is kept on the timeline only.
 */
import type { Job, StoreTx } from '../core/ports.js';
import { activePhases, deadlineAt, isOverdue, policyFor, type SlaPhase } from '../core/tickets/sla.js';
import { addEvent, type Ticket } from '../core/tickets/ticket.js';
import type { AppContext } from './context.js';
import { formatTime } from './render.js';
import { TicketChanges } from './tickets/changes.js';

export function isTicketOverdue(ctx: AppContext, ticket: Ticket, now: Date): boolean {
  return isOverdue(ticket, now, ctx.policy.sla, ctx.policy.businessHours, ctx.settings.timeZone);
}

/** People to mention: the configured supervisors or managers, by the names staff know them by. */
async function mentionsOf(ctx: AppContext, tx: StoreTx, level: 'supervisors' | 'managers') {
  const refs = ctx.policy[level];
  const staff = await tx.listStaff();
  return refs.map((r) => {
    const known = staff.find((s) => s.userId === r.userId && (!r.channel || r.channel === s.channel));
    return { userId: r.userId, name: known?.displayName ?? r.userId };
  });
}

/** An emergency is alerted at once, naming the supervisors, under its card. */
export async function alertEmergency(ctx: AppContext, tx: StoreTx, ticket: Ticket): Promise<void> {
  const mentions = await mentionsOf(ctx, tx, 'supervisors');
  await ctx.toStaff(tx, {
    text: ctx.t(ctx.staffLocale, 'desk.emergency_alert', {
      number: ticket.number,
      who: mentions.map((m) => `@${m.name}`).join(' '),
    }),
    replyToRef: `card:${ticket.number}`,
    ...(mentions.length ? { mentions } : {}),
  });
}

/** Job `sla.check`: one checkpoint of one phase. Does nothing when the phase is over. */
export async function runSlaCheck(ctx: AppContext, tx: StoreTx, job: Job): Promise<void> {
  const { ticketId, phase, percent } = job.payload as { ticketId: string; phase: SlaPhase; percent: number };
  const ticket = await tx.getTicket(ticketId);
  if (!ticket) return;
  const active = activePhases(ticket).find((p) => p.phase === phase);
  if (!active) return;
  const t = (k: string, p?: Record<string, string | number>) => ctx.t(ctx.staffLocale, k, p);
  const policy = policyFor(ticket);
  const due = deadlineAt(
    active.since,
    policy,
    phase,
    100,
    ctx.policy.sla,
    ctx.policy.businessHours,
    ctx.settings.timeZone,
  );
  const params = {
    number: ticket.number,
    phase: t(`desk.phase.${phase}`),
    percent,
    due: due ? formatTime(due, ctx.staffLocale, ctx.settings.timeZone) : '',
  };
  const now = ctx.clock.now();
  const event = addEvent(ticket, {
    at: now,
    actor: { type: 'system' },
    action: percent >= 100 ? 'escalation' : 'reminder',
    detail: { code: 'sla.checkpoint', phase, percent },
  });
  if (mergedWithRepeat(policy, phase, percent)) {
    await new TicketChanges(ctx).apply(tx, { ticket: event, card: false });
    return;
  }
  let mentions: { userId: string; name: string }[] = [];
  let text: string;
  if (percent < 100) {
    const staff = ticket.assignee ? await tx.getStaff(ticket.assignee.id) : undefined;
    let who: string;
    if (staff?.active) {
      mentions = [{ userId: staff.userId, name: staff.displayName }];
      who = `@${staff.displayName}`;
    } else if (ticket.assignee) {
      // The accountable person has left the staff group: only a supervisor can hand the ticket over.
      mentions = await mentionsOf(ctx, tx, 'supervisors');
      who = t('desk.sla.assignee_gone', {
        name: ticket.assignee.name,
        who: mentions.map((m) => `@${m.name}`).join(' ') || t('desk.sla.no_one_configured'),
      });
    } else {
      who = t('desk.sla.anyone');
    }
    text = t('desk.sla.reminder', { ...params, who });
  } else {
    mentions = await mentionsOf(ctx, tx, percent >= 200 ? 'managers' : 'supervisors');
    text = t(percent >= 200 ? 'desk.sla.managers' : 'desk.sla.supervisors', {
      ...params,
      who: mentions.map((m) => `@${m.name}`).join(' ') || t('desk.sla.no_one_configured'),
    });
  }
  await new TicketChanges(ctx).apply(tx, {
    ticket: event,
    card: false,
    staff: { text, replyToRef: `card:${ticket.number}`, ...(mentions.length ? { mentions } : {}) },
  });
}

/** An emergency's acceptance escalation (100%, 200%): said by the repeat alert of the same moment. */
function mergedWithRepeat(policy: string, phase: SlaPhase, percent: number): boolean {
  return policy === 'emergency' && phase === 'accept' && percent >= 100;
}

/** Job `sla.repeat`: an emergency nobody has accepted is alerted again, with supervisors (then managers) named. */
export async function runEmergencyRepeat(ctx: AppContext, tx: StoreTx, job: Job): Promise<void> {
  const { ticketId, round } = job.payload as { ticketId: string; round: number };
  const ticket = await tx.getTicket(ticketId);
  if (!ticket || (ticket.status !== 'recorded' && ticket.status !== 'reopened')) return;
  const mentions = await mentionsOf(ctx, tx, round >= 2 ? 'managers' : 'supervisors');
  // Waiting since it came in, or since it was reopened.
  const since =
    ticket.timeline.findLast((e) => e.to === ticket.status && e.from !== ticket.status)?.at ?? ticket.createdAt;
  const params = {
    number: ticket.number,
    minutes: Math.round((ctx.clock.now().getTime() - since.getTime()) / 60_000),
    who: mentions.map((m) => `@${m.name}`).join(' ') || ctx.t(ctx.staffLocale, 'desk.sla.no_one_configured'),
  };
  // Rounds 1 and 2 fall on the 100% and 200% escalations: one message says both.
  const due = deadlineAt(
    since,
    'emergency',
    'accept',
    100,
    ctx.policy.sla,
    ctx.policy.businessHours,
    ctx.settings.timeZone,
  );
  const text =
    round <= 2 && due
      ? ctx.t(
          ctx.staffLocale,
          round >= 2 ? 'worksteps.alert.emergency_managers' : 'worksteps.alert.emergency_supervisors',
          {
            ...params,
            due: formatTime(due, ctx.staffLocale, ctx.settings.timeZone),
          },
        )
      : ctx.t(ctx.staffLocale, 'desk.sla.emergency_repeat', params);
  const now = ctx.clock.now();
  await new TicketChanges(ctx).apply(tx, {
    ticket: addEvent(ticket, {
      at: now,
      actor: { type: 'system' },
      action: 'escalation',
      detail: { code: 'emergency.repeat', round },
    }),
    card: false,
    staff: { text, replyToRef: `card:${ticket.number}`, ...(mentions.length ? { mentions } : {}) },
  });
  await tx.scheduleJob(
    {
      id: ctx.newId(),
      type: 'sla.repeat',
      dueAt: new Date(now.getTime() + ctx.policy.sla.emergency.acceptMs),
      // The running job still holds its key until it completes, so each round has its own.
      key: `sla:${ticket.id}:accept:repeat:${round + 1}`,
      payload: { ticketId, round: round + 1 },
    },
    now,
  );
}
