/**
 * Routing rules of the staff desk: who is staff and with which role, which ticket a message quotes, when
 * text under a quote is a reply to its owner, and who may do what to a ticket in which status. The rule
 * 谁受理、谁跟进、谁回复: whoever accepts is accountable, and only they or a supervisor may reply, plan,
 * schedule, hand over or resolve.
 */

import { parseStaffCommand } from '../../core/desk/vocabulary.js';
import type { Store } from '../../core/ports.js';
import { isStaffButtonData } from '../../core/protocol/buttons.js';
import { normaliseTicketNumber, type Ticket, type TicketAction, TRANSITIONS } from '../../core/tickets/ticket.js';
import type { Inbound, Staff } from '../../core/types.js';
import type { DeskPolicy } from '../context.js';
import type { StaffAction } from '../render.js';

/** Actions that need the accountable person (or a supervisor). */
export const ACCOUNTABLE_ONLY: readonly StaffAction[] = [
  'judge',
  'reject',
  'reply',
  'plan',
  'schedule',
  'resolve',
  'handover',
  'phone',
  'draft',
];

/**
 * The ticket a staff message quotes or replies to: the one its channel read from the quote (WeChat), else
 * the ticket of the card or owner's note it replies to, found by the platform id that message was sent
 * under (Telegram). The one place a reply is resolved to a ticket. Inside a message's transaction, pass
 * the transaction: the store itself would refuse (STORE_CONFLICT) and the reply be lost.
 */
export async function quotedTicket(
  store: Pick<Store, 'findRefByMessage'>,
  inbound: Inbound,
): Promise<string | undefined> {
  if (inbound.quotedTicket) return inbound.quotedTicket;
  if (!inbound.replyTo) return undefined;
  const ref = await store.findRefByMessage(inbound.channel, inbound.chatId, inbound.replyTo);
  return ref?.match(/^(?:card|note):(T\d{6}-\d{4,})/)?.[1];
}

/**
 * Whether text under a quote of `number` is a reply to its owner: not empty, and not about another ticket
 * (a message that begins with a different number is staff talking about that one).
 */
export function isReplyText(text: string, number: string): boolean {
  const first = text.trim().split(/\s+/)[0] ?? '';
  if (first === '') return false;
  const other = normaliseTicketNumber(first);
  return !other || other === number;
}

/** Whether a message from a private chat is a staff command (only then is a registered staff member's private message routed here). */
export function looksLikeCommand(inbound: Inbound): boolean {
  if (inbound.content.type === 'button') return isStaffButtonData(inbound.content.data);
  // A photo captioned with a command (`/resolve T… 已更换水管`) is one too.
  const text =
    inbound.content.type === 'text'
      ? inbound.content.text
      : inbound.content.type === 'photo'
        ? inbound.content.caption
        : undefined;
  if (!text) return false;
  // 取消 / 帮助 without a ticket number belong to the sender's own conversation (staff are owners too).
  const parsed = parseStaffCommand(text);
  return (
    parsed !== undefined &&
    (parsed.number !== undefined || parsed.command === 'tickets' || parsed.command === 'summary')
  );
}

/** The role configuration gives the sender (SUPERVISORS, MANAGERS); everyone else in the room is staff. */
export function configuredRole(policy: Pick<DeskPolicy, 'managers' | 'supervisors'>, inbound: Inbound): Staff['role'] {
  const matches = (refs: readonly { channel?: string; userId: string }[]) =>
    refs.some((r) => r.userId === inbound.userId && (!r.channel || r.channel === inbound.channel));
  return matches(policy.managers) ? 'manager' : matches(policy.supervisors) ? 'supervisor' : 'staff';
}

/** Whether the staff member may act on the ticket as its accountable person: they are, or they supervise. */
export function mayAct(staff: Staff, ticket: Ticket): boolean {
  return staff.role !== 'staff' || ticket.assignee?.id === staff.id;
}

/** The statuses an action may start from (from the ticket transition table), for a clear refusal. */
export function allowedFrom(action: StaffAction): readonly string[] | undefined {
  const map: Partial<Record<StaffAction, TicketAction>> = {
    accept: 'accept',
    judge: 'judge',
    reject: 'reject',
    plan: 'propose_plan',
    schedule: 'schedule',
    resolve: 'resolve',
    handover: 'hand_over',
  };
  const ticketAction = map[action];
  if (!ticketAction || ticketAction === 'create') return undefined;
  return TRANSITION_FROM[ticketAction];
}

const TRANSITION_FROM: Partial<Record<TicketAction, readonly string[]>> = Object.fromEntries(
  Object.entries(TRANSITIONS).map(([k, v]) => [k, v.from]),
);
