/**
 * What an owner tells us after an emergency report: a call-back number and what is happening (fire, gas,
 * water …), added to their open emergency ticket, its card updated, and acknowledged. What is happening
 * is a timeline entry (`emergency.what`), read back by render.ts `emergencyWhatOf`.
 */
import type { FlowEffect } from '../../core/flow/engine.js';
import type { StoreTx } from '../../core/ports.js';
import { type Actor, addEvent, isOpen, type Ticket } from '../../core/tickets/ticket.js';
import type { Address, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { EMERGENCY_WHAT, emergencyWhatOf } from '../render.js';

/** The owner's answer to "what is happening?", when it is one of the emergency kinds. */
export function whatIsHappening(value: unknown): string | undefined {
  return typeof value === 'string' && EMERGENCY_WHAT.includes(value) ? value : undefined;
}

/** The ticket with what is happening on its timeline (read back by emergencyWhatOf). */
export function withEmergencyWhat(ticket: Ticket, what: string, actor: Actor, at: Date): Ticket {
  const detail = { code: 'emergency.what', what } as const;
  return addEvent(ticket, { at, actor, action: 'note', detail, data: { emergencyWhat: what } });
}

/**
 * The `emergency.details` effect: the owner's call-back number and what is happening, added to their open
 * emergency ticket (its card is updated) and acknowledged. Resolves to the owner, with the number when
 * they had none.
 */
export async function recordEmergencyDetails(
  ctx: AppContext,
  tx: StoreTx,
  owner: Owner,
  address: Address,
  effect: FlowEffect,
  now: Date,
): Promise<Owner> {
  const mine = await tx.listTickets({ ownerId: owner.id, limit: 10 });
  const found = mine.find((t) => t.urgency === 'emergency' && isOpen(t.status));
  if (!found) return owner;
  const ticket = await tx.getTicket(found.id);
  if (!ticket || ticket.ownerId !== owner.id) {
    ctx.log.warn({ ownerId: owner.id }, "refused an action on a ticket that is not the owner's");
    return owner;
  }
  let updated = ticket;
  const phone = typeof effect.answers.phone === 'string' ? effect.answers.phone : undefined;
  if (phone && updated.contact?.phone !== phone) {
    updated = { ...updated, contact: { name: updated.contact?.name ?? owner.name ?? '', phone }, updatedAt: now };
  }
  const what = whatIsHappening(effect.answers.what);
  if (what && emergencyWhatOf(updated) !== what) {
    updated = withEmergencyWhat(updated, what, { type: 'owner', id: owner.id }, now);
  }
  if (updated !== ticket) {
    await tx.saveTicket(updated);
    await ctx.updateCard(tx, updated);
    ctx.log.info({ ticket: updated.number, callBack: phone !== undefined, what }, 'emergency details recorded');
  }
  if (effect.stepId === 'what' || effect.answers.what !== undefined) {
    await ctx.sendTo(tx, address, { text: ctx.t(owner.locale, 'emergency.details_noted') });
  }
  return phone && !owner.phone ? { ...owner, phone } : owner;
}
