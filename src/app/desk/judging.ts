/**
 * Judging a ticket (step 2 of domain.md): its urgency, who is responsible and its category, typed
 * (`/judge T… 加急 开发商`) or chosen from the judging buttons the card swaps in. A new urgency re-times the
 * ticket; a responsibility outside the property company is explained to the owner.
 */

import { fold } from '../../core/flow/answers.js';
import type { StoreTx } from '../../core/ports.js';
import type { JudgeChoice } from '../../core/protocol/buttons.js';
import { type Actor, type Ticket, TRANSITIONS, transition } from '../../core/tickets/ticket.js';
import { CATEGORIES, type Inbound, LOCALES, RESPONSIBILITIES, type Staff, URGENCIES } from '../../core/types.js';
import { mayAct } from './routing.js';
import { DeskPart, type DeskResult } from './support.js';

export class Judging extends DeskPart {
  async judge(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    ticket: Ticket,
    actor: Actor,
    text: string,
    viaButton: boolean,
  ) {
    if (viaButton || !text.trim()) return this.judgeMenu(tx, staff, ticket.number, 'open');
    const patch = parseJudgement(text, (k) => LOCALES.map((l) => this.ctx.t(l, k)));
    if (!patch) {
      await this.say(tx, inbound, this.t('desk.judge_usage', { number: ticket.number }));
      return {};
    }
    return this.applyJudgement(tx, ticket, actor, patch);
  }

  async judgeButton(tx: StoreTx, inbound: Inbound, staff: Staff, number: string, choice: JudgeChoice) {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, true, 'desk.refused.no_ticket', { number });
    if (!mayAct(staff, ticket)) {
      this.ctx.log.warn({ ticket: number, action: 'judge', staff: staff.id }, 'refused: not the accountable person');
      return this.refuse(tx, inbound, true, 'desk.refused.not_accountable', {
        number,
        name: ticket.assignee?.name ?? '',
      });
    }
    const patch: Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>> = { [choice.field]: choice.value };
    const result = await this.applyJudgement(
      tx,
      ticket,
      { type: 'staff', id: staff.id, name: staff.displayName },
      patch,
      true,
    );
    return result.ack ? result : { ack: { text: this.t('desk.done.judged') } };
  }

  private async applyJudgement(
    tx: StoreTx,
    ticket: Ticket,
    actor: Actor,
    patch: Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>>,
    keepMenu = false,
  ): Promise<DeskResult> {
    const now = this.ctx.clock.now();
    const changes = Object.entries(patch)
      .filter(([k, v]) => ticket[k as keyof typeof patch] !== v)
      .map(([k, v]) => `${k}: ${String(ticket[k as keyof typeof patch])} → ${String(v)}`);
    const r = transition(ticket, 'judge', actor, now, patch, changes.join('; ') || undefined, { ...patch });
    if (!r.ok)
      return {
        ack: {
          text: this.t('desk.refused.status', {
            number: ticket.number,
            status: this.t(`ticket.status.${ticket.status}`),
          }),
          alert: true,
        },
      };
    // A new urgency, or a reopened ticket back at work, is timed afresh.
    const retime = (patch.urgency && patch.urgency !== ticket.urgency) || ticket.status === 'reopened';
    // Someone other than the property company is responsible: the owner is told who (staff, if they cannot be reached, in every room).
    const elsewhere =
      patch.responsibility &&
      patch.responsibility !== ticket.responsibility &&
      patch.responsibility !== 'property' &&
      patch.responsibility !== 'unknown';
    await this.changes.apply(tx, {
      ticket: r.ticket,
      ...(keepMenu ? { card: 'judge' as const } : {}),
      ...(retime ? { deadlines: 'restart' as const } : {}),
      ...(elsewhere
        ? { owner: { notify: `owner.responsibility.${patch.responsibility}`, params: { number: ticket.number } } }
        : {}),
    });
    return {};
  }

  /** Swaps the card's buttons for the judging choices (in place), or back. */
  async judgeMenu(tx: StoreTx, staff: Staff, number: string, mode: 'open' | 'category' | 'done'): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return { ack: { text: this.t('desk.refused.no_ticket', { number }), alert: true } };
    if (!mayAct(staff, ticket))
      return {
        ack: {
          text: this.t('desk.refused.not_accountable', { number, name: ticket.assignee?.name ?? '' }),
          alert: true,
        },
      };
    if (mode !== 'done' && !TRANSITIONS.judge.from.includes(ticket.status)) {
      // A judging button from an old message: the card shows what can be done now instead.
      await this.ctx.updateCard(tx, ticket);
      return {
        ack: {
          text: this.t('desk.refused.status', { number, status: this.t(`ticket.status.${ticket.status}`) }),
          alert: true,
        },
      };
    }
    await this.ctx.updateCard(tx, ticket, mode === 'done' ? undefined : mode === 'open' ? 'judge' : 'category');
    return { ack: { text: '' } };
  }
}

/**
 * Reads `urgency=urgent responsibility=developer category=lift`, or bare values in either language
 * (`加急 开发商`). Returns undefined when nothing recognisable was given.
 */
export function parseJudgement(
  text: string,
  labelsOf: (key: string) => string[],
): Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>> | undefined {
  const patch: Partial<Pick<Ticket, 'urgency' | 'responsibility' | 'category'>> = {};
  const match = <T extends string>(value: string, all: readonly T[], prefix: string): T | undefined => {
    const v = fold(value);
    if (!v) return undefined;
    // A label's note in brackets is optional when typed: 开发商 matches 开发商（保修期内）.
    const forms = (l: string) => [fold(l), fold(l.replace(/[（(][^）)]*[）)]/g, ''))];
    return all.find((id) => fold(id) === v || labelsOf(`${prefix}.${id}`).some((l) => forms(l).includes(v)));
  };
  for (const token of text.trim().split(/\s+/)) {
    const [rawKey, rawValue] =
      token.includes('=') || token.includes('：') || token.includes(':') ? token.split(/[=:：]/) : [undefined, token];
    const key = rawKey ? fold(rawKey) : undefined;
    const value = rawValue ?? '';
    const u =
      !key || ['u', 'urgency', '紧急程度'].includes(key) ? match(value, URGENCIES, 'ticket.urgency') : undefined;
    const r =
      !key || ['r', 'resp', 'responsibility', '责任方'].includes(key)
        ? match(value, RESPONSIBILITIES, 'ticket.responsibility')
        : undefined;
    const c =
      !key || ['c', 'cat', 'category', '类别'].includes(key) ? match(value, CATEGORIES, 'ticket.category') : undefined;
    if (u) patch.urgency = u;
    else if (r) patch.responsibility = r;
    else if (c) patch.category = c;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
