/**
 * Service levels: which deadlines a ticket has, when they fall, and the checkpoints (50%, 80%, 100%,
 * 200%) at which the group is reminded or the ticket escalated. Pure.
 *
 * Emergencies count plain time. Every other deadline counts business hours, and a configured duration of
 * whole days means that many business days (3d with 08:00–20:00 hours is 36 business hours).
 * A ticket with an agreed visit time is timed to resolution from that time.
 */
import { addBusinessTime, type DailyWindow } from '../time.js';
import type { Ticket } from './ticket.js';

/** Deadlines for acknowledging and resolving tickets of one urgency, in milliseconds. */
export interface SlaDeadlines {
  readonly acceptMs: number;
  readonly resolveMs: number;
}

export type SlaPhase = 'accept' | 'progress' | 'resolve';
export type SlaPolicyName = 'emergency' | 'urgent' | 'normal' | 'complaint';

export interface SlaConfig {
  emergency: SlaDeadlines;
  urgent: SlaDeadlines;
  normal: SlaDeadlines;
  complaint: SlaDeadlines & { progressMs: number };
}

/** Percentages of a deadline at which something happens: remind, remind, escalate to supervisors, to managers. */
export const CHECKPOINTS = [50, 80, 100, 200] as const;

const DAY = 24 * 3_600_000;

export function policyFor(ticket: Pick<Ticket, 'urgency' | 'kind'>): SlaPolicyName {
  if (ticket.urgency === 'emergency') return 'emergency';
  if (ticket.urgency === 'urgent') return 'urgent';
  if (ticket.kind === 'complaint') return 'complaint';
  return 'normal';
}

/** The length of a configured duration in business time: whole days become business days. */
export function businessLength(ms: number, hours: DailyWindow): number {
  const windowMs = (hours.end - hours.start) * 60_000;
  if (windowMs >= DAY) return ms;
  return Math.floor(ms / DAY) * windowMs + (ms % DAY);
}

/** How long a phase lasts for this ticket, or undefined when the policy has no such phase. */
export function phaseLength(policy: SlaPolicyName, phase: SlaPhase, sla: SlaConfig): number | undefined {
  const p = sla[policy];
  if (phase === 'accept') return p.acceptMs;
  if (phase === 'resolve') return p.resolveMs;
  return policy === 'complaint' ? sla.complaint.progressMs : undefined;
}

/** The instant a phase's deadline (or a percentage of it) falls, counted from `from`. */
export function deadlineAt(
  from: Date,
  policy: SlaPolicyName,
  phase: SlaPhase,
  percent: number,
  sla: SlaConfig,
  hours: DailyWindow,
  zone: string,
): Date | undefined {
  const length = phaseLength(policy, phase, sla);
  if (length === undefined) return undefined;
  if (policy === 'emergency') return new Date(from.getTime() + (length * percent) / 100);
  return addBusinessTime(from, (businessLength(length, hours) * percent) / 100, hours, zone);
}

/** The phases a ticket is being timed on in its current status, and when each started. */
export function activePhases(ticket: Ticket): { phase: SlaPhase; since: Date }[] {
  switch (ticket.status) {
    case 'recorded':
      return [{ phase: 'accept', since: ticket.createdAt }];
    case 'reopened': {
      const reopened = [...ticket.timeline]
        .reverse()
        .find((e) => e.action === 'reopen' || e.action === 'request_review');
      return [{ phase: 'accept', since: reopened?.at ?? ticket.updatedAt }];
    }
    case 'accepted':
    case 'in_progress':
    case 'awaiting_agreement':
    case 'scheduled': {
      // Work runs from the latest acceptance, or from a reopening (or review) that went back to work without one.
      const started = [...ticket.timeline]
        .reverse()
        .find((e) => e.action === 'accept' || e.action === 'reopen' || e.action === 'request_review');
      const since = started?.at ?? ticket.createdAt;
      // A visit agreed with the owner (约时间处理): the resolution is timed from the agreed time, so a ticket
      // waiting for the time the owner chose is not escalated as late.
      const visit = ticket.status === 'scheduled' ? ticket.scheduledFor : undefined;
      const resolveSince = visit && visit.getTime() > since.getTime() ? visit : since;
      const phases: { phase: SlaPhase; since: Date }[] = [{ phase: 'resolve', since: resolveSince }];
      const toldOwner = ticket.timeline.some(
        (e) =>
          (e.action === 'staff_reply' || e.action === 'propose_plan' || e.action === 'schedule') &&
          e.at.getTime() >= since.getTime(),
      );
      if (!toldOwner) phases.unshift({ phase: 'progress', since });
      return phases;
    }
    default:
      return [];
  }
}

/** Whether a ticket is past any of its current deadlines at `now`. */
export function isOverdue(ticket: Ticket, now: Date, sla: SlaConfig, hours: DailyWindow, zone: string): boolean {
  const policy = policyFor(ticket);
  return activePhases(ticket).some(({ phase, since }) => {
    const due = deadlineAt(since, policy, phase, 100, sla, hours, zone);
    return due !== undefined && due.getTime() <= now.getTime();
  });
}
