/**
 * Service levels: which policy a ticket falls under, how long each phase lasts, when a checkpoint falls
 * (business hours for everything but emergencies), which phases run in which status, and overdue.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/app/context.js';
import {
  activePhases,
  businessLength,
  CHECKPOINTS,
  deadlineAt,
  isOverdue,
  phaseLength,
  policyFor,
} from '../../../src/core/tickets/sla.js';
import { addEvent, newTicket, type Ticket, type TicketStatus, transition } from '../../../src/core/tickets/ticket.js';
import type { TicketKind, Urgency } from '../../../src/core/types.js';

const ZONE = 'Asia/Shanghai';
const HOURS = { start: 8 * 60, end: 20 * 60 };
const SLA = DEFAULT_POLICY.sla;
const H = 3_600_000;
const STAFF = { type: 'staff' as const, id: 'console:a', name: '王师傅' };

/** An instant given as Shanghai wall-clock time. */
const sh = (local: string) => new Date(`${local}+08:00`);

function ticket(o: { kind?: TicketKind; urgency?: Urgency; at?: Date } = {}): Ticket {
  return newTicket({
    id: 't1',
    number: 'T261128-0001',
    draft: {
      kind: o.kind ?? 'repair',
      category: 'water_power',
      urgency: o.urgency ?? 'normal',
      description: 'x',
      attachments: [],
    },
    ownerId: 'o1',
    origin: { channel: 'console', chatId: 'owner' },
    at: o.at ?? sh('2026-11-28T10:00'),
  });
}

function move(t: Ticket, action: Parameters<typeof transition>[1], at: Date): Ticket {
  const r = transition(t, action, STAFF, at);
  if (!r.ok) throw new Error(`${action} from ${t.status}`);
  return r.ticket;
}

describe('policyFor', () => {
  it('picks emergency and urgent by urgency, else complaint by kind, else normal', () => {
    expect(policyFor({ urgency: 'emergency', kind: 'complaint' })).toBe('emergency');
    expect(policyFor({ urgency: 'urgent', kind: 'complaint' })).toBe('urgent');
    expect(policyFor({ urgency: 'normal', kind: 'complaint' })).toBe('complaint');
    expect(policyFor({ urgency: 'low', kind: 'complaint' })).toBe('complaint');
    expect(policyFor({ urgency: 'normal', kind: 'repair' })).toBe('normal');
    expect(policyFor({ urgency: 'low', kind: 'suggestion' })).toBe('normal');
  });
});

describe('the default deadlines (issue #4)', () => {
  it('are emergency 5 min / 2 h, urgent 15 min / 24 h, normal 2 h / 3 days, complaint 1 h / 4 h / 24 h', () => {
    expect(phaseLength('emergency', 'accept', SLA)).toBe(5 * 60_000);
    expect(phaseLength('emergency', 'resolve', SLA)).toBe(2 * H);
    expect(phaseLength('urgent', 'accept', SLA)).toBe(15 * 60_000);
    expect(phaseLength('urgent', 'resolve', SLA)).toBe(24 * H);
    expect(phaseLength('normal', 'accept', SLA)).toBe(2 * H);
    expect(phaseLength('normal', 'resolve', SLA)).toBe(72 * H);
    expect(phaseLength('complaint', 'accept', SLA)).toBe(H);
    expect(phaseLength('complaint', 'progress', SLA)).toBe(4 * H);
    expect(phaseLength('complaint', 'resolve', SLA)).toBe(24 * H);
  });

  it('have a progress phase for complaints only', () => {
    for (const p of ['emergency', 'urgent', 'normal'] as const) expect(phaseLength(p, 'progress', SLA)).toBeUndefined();
  });

  it('check at 50, 80, 100 and 200 percent', () => {
    expect([...CHECKPOINTS]).toEqual([50, 80, 100, 200]);
  });
});

describe('businessLength', () => {
  it('turns whole days into business days and keeps hours as they are', () => {
    expect(businessLength(72 * H, HOURS)).toBe(36 * H);
    expect(businessLength(24 * H, HOURS)).toBe(12 * H);
    expect(businessLength(26 * H, HOURS)).toBe(14 * H);
    expect(businessLength(4 * H, HOURS)).toBe(4 * H);
    expect(businessLength(72 * H, { start: 0, end: 1440 })).toBe(72 * H);
  });
});

describe('deadlineAt', () => {
  const at = (
    from: Date,
    policy: Parameters<typeof deadlineAt>[1],
    phase: Parameters<typeof deadlineAt>[2],
    percent: number,
  ) => deadlineAt(from, policy, phase, percent, SLA, HOURS, ZONE)?.toISOString();

  it('counts business hours: a repair recorded at 19:00 is due to be accepted at 09:00 the next day', () => {
    const from = sh('2026-11-28T19:00');
    expect(at(from, 'normal', 'accept', 50)).toBe(sh('2026-11-28T20:00').toISOString());
    expect(at(from, 'normal', 'accept', 80)).toBe(sh('2026-11-29T08:36').toISOString());
    expect(at(from, 'normal', 'accept', 100)).toBe(sh('2026-11-29T09:00').toISOString());
    expect(at(from, 'normal', 'accept', 200)).toBe(sh('2026-11-29T11:00').toISOString());
  });

  it('starts counting at opening time for a ticket recorded at night', () => {
    const from = sh('2026-11-28T23:30');
    expect(at(from, 'urgent', 'accept', 100)).toBe(sh('2026-11-29T08:15').toISOString());
    expect(at(from, 'complaint', 'accept', 50)).toBe(sh('2026-11-29T08:30').toISOString());
  });

  it('counts three days to resolve a repair as three business days', () => {
    expect(at(sh('2026-11-28T10:00'), 'normal', 'resolve', 100)).toBe(sh('2026-12-01T10:00').toISOString());
    expect(at(sh('2026-11-28T10:00'), 'urgent', 'resolve', 100)).toBe(sh('2026-11-29T10:00').toISOString());
  });

  it('counts plain time for emergencies, at any hour', () => {
    const from = sh('2026-11-28T02:00');
    expect(at(from, 'emergency', 'accept', 50)).toBe(sh('2026-11-28T02:02:30').toISOString());
    expect(at(from, 'emergency', 'accept', 100)).toBe(sh('2026-11-28T02:05').toISOString());
    expect(at(from, 'emergency', 'resolve', 100)).toBe(sh('2026-11-28T04:00').toISOString());
  });

  it('has no deadline for a phase the policy does not have', () => {
    expect(at(sh('2026-11-28T10:00'), 'normal', 'progress', 100)).toBeUndefined();
  });
});

describe('activePhases', () => {
  const created = sh('2026-11-28T10:00');
  const accepted = sh('2026-11-28T10:30');

  it('times acceptance while recorded, from creation', () => {
    expect(activePhases(ticket({ at: created }))).toEqual([{ phase: 'accept', since: created }]);
  });

  it('times progress and resolution once accepted, from the acceptance', () => {
    const t = move(ticket({ at: created }), 'accept', accepted);
    expect(activePhases(t)).toEqual([
      { phase: 'progress', since: accepted },
      { phase: 'resolve', since: accepted },
    ]);
  });

  it('stops timing progress once the owner has heard from staff', () => {
    const t = move(ticket({ at: created }), 'accept', accepted);
    const replied = addEvent(t, { at: sh('2026-11-28T11:00'), actor: STAFF, action: 'staff_reply', note: 'hi' });
    expect(activePhases(replied)).toEqual([{ phase: 'resolve', since: accepted }]);
    const planned = move(t, 'propose_plan', sh('2026-11-28T11:00'));
    expect(activePhases(planned)).toEqual([{ phase: 'resolve', since: accepted }]);
    const scheduled = move(t, 'schedule', sh('2026-11-28T11:00'));
    expect(activePhases(scheduled)).toEqual([{ phase: 'resolve', since: accepted }]);
  });

  it('times acceptance again from a reopening or a review', () => {
    const resolved = move(move(ticket({ at: created }), 'accept', accepted), 'resolve', sh('2026-11-28T12:00'));
    const reopenedAt = sh('2026-11-29T09:00');
    expect(activePhases(move(resolved, 'reopen', reopenedAt))).toEqual([{ phase: 'accept', since: reopenedAt }]);
    const rejected = move(move(ticket({ at: created }), 'accept', accepted), 'reject', sh('2026-11-28T11:00'));
    const reviewAt = sh('2026-11-28T15:00');
    expect(activePhases(move(rejected, 'request_review', reviewAt))).toEqual([{ phase: 'accept', since: reviewAt }]);
  });

  it('times a re-accepted ticket from the latest acceptance', () => {
    const first = move(move(ticket({ at: created }), 'accept', accepted), 'resolve', sh('2026-11-28T12:00'));
    const again = sh('2026-11-29T09:30');
    const t = move(move(first, 'reopen', sh('2026-11-29T09:00')), 'accept', again);
    expect(activePhases(t).find((p) => p.phase === 'resolve')?.since).toEqual(again);
  });

  it('times a reopened ticket that goes back to work without a new acceptance from the reopening', () => {
    const resolved = move(
      move(ticket({ kind: 'complaint', at: created }), 'accept', accepted),
      'resolve',
      sh('2026-11-28T12:00'),
    );
    const replied = addEvent(resolved, { at: sh('2026-11-28T11:00'), actor: STAFF, action: 'staff_reply', note: 'hi' });
    const reopenedAt = sh('2026-12-03T09:00');
    const working = move(move(replied, 'reopen', reopenedAt), 'judge', sh('2026-12-03T09:10'));
    // Progress to the owner is timed again too: what was said before the reopening does not count.
    expect(activePhases(working)).toEqual([
      { phase: 'progress', since: reopenedAt },
      { phase: 'resolve', since: reopenedAt },
    ]);
    expect(isOverdue(working, sh('2026-12-03T10:00'), SLA, HOURS, ZONE)).toBe(false);
    const reviewAt = sh('2026-11-28T15:00');
    const rejected = move(move(ticket({ at: created }), 'accept', accepted), 'reject', sh('2026-11-28T11:00'));
    const planned = move(move(rejected, 'request_review', reviewAt), 'propose_plan', sh('2026-11-28T15:30'));
    expect(activePhases(planned)).toEqual([{ phase: 'resolve', since: reviewAt }]);
  });

  it('times nothing in a finished status', () => {
    for (const status of ['resolved', 'closed', 'rejected', 'cancelled'] as TicketStatus[]) {
      expect(activePhases({ ...ticket(), status })).toEqual([]);
    }
  });
});

describe('isOverdue', () => {
  it('is true once any current deadline has passed, in business time', () => {
    const t = ticket({ at: sh('2026-11-28T19:00') });
    const check = (local: string) => isOverdue(t, sh(local), SLA, HOURS, ZONE);
    expect(check('2026-11-28T21:00')).toBe(false);
    expect(check('2026-11-29T08:59')).toBe(false);
    expect(check('2026-11-29T09:00')).toBe(true);
  });

  it('is false for a finished ticket', () => {
    const t = { ...ticket({ at: sh('2026-11-20T10:00') }), status: 'resolved' as const };
    expect(isOverdue(t, sh('2026-11-28T10:00'), SLA, HOURS, ZONE)).toBe(false);
  });

  it('counts an accepted complaint overdue when progress to the owner is late', () => {
    const t = move(ticket({ kind: 'complaint', at: sh('2026-11-28T09:00') }), 'accept', sh('2026-11-28T09:30'));
    expect(isOverdue(t, sh('2026-11-28T13:29'), SLA, HOURS, ZONE)).toBe(false);
    expect(isOverdue(t, sh('2026-11-28T13:30'), SLA, HOURS, ZONE)).toBe(true);
  });
});
