/**
 * A ticket's service-level timers as durable jobs: the checkpoints (50%, 80%, 100%, 200%) of every phase
 * its status times it on, scheduled when it changes and cancelled when a phase is over. What happens at a
 * checkpoint is `deadlines.ts`'s job.
 */
import type { StoreTx } from '../../core/ports.js';
import { activePhases, CHECKPOINTS, deadlineAt, policyFor, type SlaPhase } from '../../core/tickets/sla.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import type { AppContext } from '../context.js';

const PHASES: readonly SlaPhase[] = ['accept', 'progress', 'resolve'];

function key(ticket: Ticket, phase: SlaPhase, percent: number | 'repeat'): string {
  return `sla:${ticket.id}:${phase}:${percent}`;
}

/** Schedules the checkpoints of every phase the ticket is being timed on now. */
export async function scheduleDeadlines(ctx: AppContext, tx: StoreTx, ticket: Ticket): Promise<void> {
  const now = ctx.clock.now();
  const policy = policyFor(ticket);
  const { sla, businessHours } = ctx.policy;
  for (const { phase, since } of activePhases(ticket)) {
    for (const percent of CHECKPOINTS) {
      const due = deadlineAt(since, policy, phase, percent, sla, businessHours, ctx.settings.timeZone);
      if (!due || due.getTime() < now.getTime()) continue;
      await tx.scheduleJob(
        {
          id: ctx.newId(),
          type: 'sla.check',
          dueAt: due,
          key: key(ticket, phase, percent),
          payload: { ticketId: ticket.id, phase, percent },
        },
        now,
      );
    }
    if (policy === 'emergency' && phase === 'accept') {
      const every = sla.emergency.acceptMs;
      await tx.scheduleJob(
        {
          id: ctx.newId(),
          type: 'sla.repeat',
          dueAt: new Date(now.getTime() + every),
          key: key(ticket, 'accept', 'repeat'),
          payload: { ticketId: ticket.id, round: 1 },
        },
        now,
      );
    }
  }
}

/** Cancels the pending checkpoints of some (default: all) phases. */
export async function cancelDeadlines(
  ctx: AppContext,
  tx: StoreTx,
  ticket: Ticket,
  phases: readonly SlaPhase[] = PHASES,
): Promise<void> {
  const now = ctx.clock.now();
  for (const phase of phases) {
    for (const percent of CHECKPOINTS) await tx.cancelJobs(key(ticket, phase, percent), now);
    if (phase === 'accept') await tx.cancelJobs(key(ticket, 'accept', 'repeat'), now);
  }
}
