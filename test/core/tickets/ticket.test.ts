/**
 * Tickets: the transition table (every action from every status), the timeline, numbers and masking.
 */
import { describe, expect, it } from 'vitest';
import {
  type Actor,
  addEvent,
  formatTicketNumber,
  isOpen,
  maskPhone,
  newTicket,
  normaliseTicketNumber,
  OPEN_STATUSES,
  TICKET_NUMBER_PATTERN,
  TICKET_STATUSES,
  type Ticket,
  type TicketAction,
  type TicketStatus,
  TRANSITIONS,
  transition,
} from '../../../src/core/tickets/ticket.js';

const T0 = new Date('2026-11-28T02:00:00Z');
const T1 = new Date('2026-11-28T03:00:00Z');
const OWNER: Actor = { type: 'owner', id: 'o1' };
const STAFF: Actor = { type: 'staff', id: 'console:a', name: '王师傅' };

function ticket(status: TicketStatus = 'recorded', patch: Partial<Ticket> = {}): Ticket {
  const t = newTicket({
    id: 't1',
    number: 'T261128-0001',
    draft: { kind: 'repair', category: 'water_power', urgency: 'normal', description: '漏水', attachments: [] },
    ownerId: 'o1',
    origin: { channel: 'console', chatId: 'owner' },
    at: T0,
  });
  return { ...t, status, ...patch };
}

/** Where each action leads from each status it is allowed in (the table the steps need). */
const EXPECTED: Record<Exclude<TicketAction, 'create'>, Partial<Record<TicketStatus, TicketStatus>>> = {
  accept: { recorded: 'accepted', reopened: 'accepted' },
  judge: {
    accepted: 'in_progress',
    in_progress: 'in_progress',
    awaiting_agreement: 'awaiting_agreement',
    scheduled: 'scheduled',
    reopened: 'in_progress',
  },
  reject: { recorded: 'rejected', accepted: 'rejected', in_progress: 'rejected', reopened: 'rejected' },
  request_review: { rejected: 'reopened' },
  propose_plan: {
    accepted: 'awaiting_agreement',
    in_progress: 'awaiting_agreement',
    awaiting_agreement: 'awaiting_agreement',
    scheduled: 'awaiting_agreement',
    reopened: 'awaiting_agreement',
  },
  agree_plan: { awaiting_agreement: 'in_progress' },
  disagree_plan: { awaiting_agreement: 'in_progress' },
  schedule: {
    accepted: 'scheduled',
    in_progress: 'scheduled',
    awaiting_agreement: 'scheduled',
    scheduled: 'scheduled',
  },
  start_work: { scheduled: 'in_progress' },
  resolve: {
    accepted: 'resolved',
    in_progress: 'resolved',
    awaiting_agreement: 'resolved',
    scheduled: 'resolved',
    reopened: 'resolved',
  },
  close: { resolved: 'closed', rejected: 'closed' },
  reopen: { resolved: 'reopened', closed: 'reopened' },
  cancel: { recorded: 'cancelled' },
  hand_over: {
    accepted: 'accepted',
    in_progress: 'in_progress',
    awaiting_agreement: 'awaiting_agreement',
    scheduled: 'scheduled',
    reopened: 'reopened',
  },
};

describe('the transition table', () => {
  for (const action of Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]) {
    it(`${action}: allowed exactly from ${Object.keys(EXPECTED[action]).join(', ')}`, () => {
      for (const status of TICKET_STATUSES) {
        const r = transition(ticket(status), action, STAFF, T1);
        const to = EXPECTED[action][status];
        if (to) {
          expect(r.ok, `${action} from ${status}`).toBe(true);
          if (r.ok) expect(r.ticket.status, `${action} from ${status}`).toBe(to);
        } else {
          expect(r, `${action} from ${status}`).toEqual({ ok: false, reason: 'illegal_transition', action, status });
        }
      }
    });
  }

  it('never moves a cancelled ticket, and only reopen or close moves a closed or rejected one', () => {
    for (const action of Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]) {
      expect(transition(ticket('cancelled'), action, STAFF, T1).ok).toBe(false);
    }
    const fromClosed = (Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]).filter(
      (a) => transition(ticket('closed'), a, STAFF, T1).ok,
    );
    expect(fromClosed).toEqual(['reopen']);
  });

  it('records every transition on the timeline with actor, from, to, note and data', () => {
    const r = transition(ticket(), 'accept', STAFF, T1, { assignee: { id: 'console:a', name: '王师傅' } }, 'on it', {
      x: 1,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ticket.timeline).toEqual([
      { at: T0, actor: OWNER, action: 'create', to: 'recorded' },
      { at: T1, actor: STAFF, action: 'accept', from: 'recorded', to: 'accepted', note: 'on it', data: { x: 1 } },
    ]);
    expect(r.ticket.assignee).toEqual({ id: 'console:a', name: '王师傅' });
    expect(r.ticket.updatedAt).toEqual(T1);
  });

  it('does not change the ticket it is given', () => {
    const before = ticket();
    const copy = structuredClone(before);
    transition(before, 'accept', STAFF, T1);
    expect(before).toEqual(copy);
  });

  it('records the first response from staff only, and only once', () => {
    const byOwner = transition(ticket(), 'cancel', OWNER, T1);
    expect(byOwner.ok && byOwner.ticket.firstResponseAt).toBeUndefined();
    const accepted = transition(ticket(), 'accept', STAFF, T1);
    expect(accepted.ok && accepted.ticket.firstResponseAt).toEqual(T1);
    const later = new Date('2026-11-28T05:00:00Z');
    const judged = accepted.ok ? transition(accepted.ticket, 'judge', STAFF, later) : undefined;
    expect(judged?.ok && judged.ticket.firstResponseAt).toEqual(T1);
  });

  it('stamps resolution and closing times, and counts reopenings and reviews', () => {
    const resolved = transition(ticket('in_progress'), 'resolve', STAFF, T1);
    expect(resolved.ok && resolved.ticket.resolvedAt).toEqual(T1);
    const closed = transition(ticket('resolved'), 'close', { type: 'system' }, T1);
    expect(closed.ok && closed.ticket.closedAt).toEqual(T1);
    const cancelled = transition(ticket(), 'cancel', OWNER, T1);
    expect(cancelled.ok && cancelled.ticket.closedAt).toEqual(T1);
    const reopened = transition(ticket('closed', { reopenCount: 1 }), 'reopen', OWNER, T1);
    expect(reopened.ok && reopened.ticket.reopenCount).toBe(2);
    const reviewed = transition(ticket('rejected'), 'request_review', OWNER, T1);
    expect(reviewed.ok && reviewed.ticket.reopenCount).toBe(1);
    const handed = transition(ticket('accepted'), 'hand_over', STAFF, T1);
    expect(handed.ok && handed.ticket.reopenCount).toBe(0);
  });
});

describe('tickets', () => {
  it('start recorded, unassigned, responsibility unknown, with a create event by the owner', () => {
    const t = ticket();
    expect(t).toMatchObject({
      status: 'recorded',
      responsibility: 'unknown',
      reopenCount: 0,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(t.assignee).toBeUndefined();
    expect(t.timeline).toEqual([{ at: T0, actor: OWNER, action: 'create', to: 'recorded' }]);
  });

  it('add events that do not change the status', () => {
    const t = addEvent(ticket('accepted'), { at: T1, actor: OWNER, action: 'owner_message', note: '又漏了' });
    expect(t.status).toBe('accepted');
    expect(t.updatedAt).toEqual(T1);
    expect(t.timeline.at(-1)).toEqual({ at: T1, actor: OWNER, action: 'owner_message', note: '又漏了' });
  });

  it('know which statuses are open', () => {
    expect(TICKET_STATUSES.filter(isOpen)).toEqual([...OPEN_STATUSES]);
    expect(['resolved', 'closed', 'rejected', 'cancelled'].some((s) => isOpen(s as TicketStatus))).toBe(false);
  });
});

describe('ticket numbers', () => {
  it('are T + YYMMDD + a sequence of at least four digits', () => {
    expect(formatTicketNumber('261128', 7)).toBe('T261128-0007');
    expect(formatTicketNumber('261128', 12345)).toBe('T261128-12345');
    expect(TICKET_NUMBER_PATTERN.test('T261128-0007')).toBe(true);
  });

  it('are read as people type them: lower case, full-width or long dashes, inside a sentence', () => {
    expect(normaliseTicketNumber('t261128-0007')).toBe('T261128-0007');
    expect(normaliseTicketNumber('T261128－0007')).toBe('T261128-0007');
    expect(normaliseTicketNumber('T261128—0007')).toBe('T261128-0007');
    expect(normaliseTicketNumber('请看 T261128-0007 这张')).toBe('T261128-0007');
    expect(normaliseTicketNumber('T26112-0007')).toBeUndefined();
    expect(normaliseTicketNumber('T261128-007')).toBeUndefined();
    expect(normaliseTicketNumber('XT261128-0007')).toBeUndefined();
  });
});

describe('maskPhone', () => {
  it('shows the first three and last four digits of a mainland number', () => {
    expect(maskPhone('+8613812345678')).toBe('138****5678');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('masks other numbers too, and never shows a short one', () => {
    expect(maskPhone('+85291234567')).toBe('852****4567');
    expect(maskPhone('+12345')).toBe('1****');
    expect(maskPhone(undefined)).toBe('—');
  });
});
