/**
 * A revisit done by phone, recorded with buttons: an owner who is not in the chat (a ticket taken by phone,
 * or an owner who left) is called by staff, who press 📞 under the phone-revisit task and answer the
 * revisit's questions as the owner answered them — solved, attitude, charged, score, a comment. The answers
 * go through the same revisit as `/revisit T… 已解决 满意 未收费 9` (revisits.ts): a good one closes the
 * ticket, a bad one reopens it.
 */
import { z } from 'zod';
import { checkText } from '../../core/flow/answers.js';
import type { StoreTx } from '../../core/ports.js';
import type { Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { mayAct } from '../desk/routing.js';
import type { OwnerSide } from '../owner/conversations.js';
import { choiceOf, type GuidedFlow, problemText, type Step, yesNo } from './guided.js';

const STATE = z.object({
  number: z.string(),
  solved: z.boolean().optional(),
  attitude: z.enum(['satisfied', 'so_so', 'unsatisfied']).optional(),
  charged: z.boolean().optional(),
  score: z.number().int().min(1).max(10).optional(),
});
export type PhoneRevisitState = z.infer<typeof STATE>;

const COMMENT_MAX = 500;

export class PhoneRevisits {
  readonly flow: GuidedFlow<PhoneRevisitState>;

  constructor(
    private readonly ctx: AppContext,
    private readonly owners: OwnerSide,
  ) {
    this.flow = { code: 'r', steps: this.steps(), parse: (s) => STATE.safeParse(s).data };
  }

  private t(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  /** Why this staff member may not record this ticket's revisit now; undefined when they may. */
  async refusal(tx: StoreTx, staff: Staff, number: string): Promise<string | undefined> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.t('desk.refused.no_ticket', { number });
    if (!mayAct(staff, ticket))
      return this.t('desk.refused.not_accountable', { number, name: ticket.assignee?.name ?? '' });
    if (ticket.status !== 'resolved')
      return this.t('intake.revisit.not_due', { number, status: this.t(`ticket.status.${ticket.status}`) });
    return undefined;
  }

  private steps(): Step<PhoneRevisitState>[] {
    const t = (k: string, p?: Record<string, string | number>) => this.t(k, p);
    return [
      {
        id: 'solved',
        ask: (s) => ({ text: t('intake.revisit.ask.solved', { number: s.number }), choices: yesNo(t) }),
        read: async (_tx, s, a) =>
          choiceOf(a) ? { state: { ...s, solved: choiceOf(a) === 'yes' } } : { problem: t('intake.problem.pick') },
      },
      {
        id: 'attitude',
        ask: () => ({
          text: t('intake.revisit.ask.attitude'),
          choices: (['satisfied', 'so_so', 'unsatisfied'] as const).map((v) => ({
            value: v,
            label: t(`revisit.option.attitude.${v}`),
          })),
        }),
        read: async (_tx, s, a) => {
          const v = (['satisfied', 'so_so', 'unsatisfied'] as const).find((x) => x === choiceOf(a));
          return v ? { state: { ...s, attitude: v } } : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'charged',
        ask: () => ({ text: t('intake.revisit.ask.charged'), choices: yesNo(t) }),
        read: async (_tx, s, a) =>
          choiceOf(a) ? { state: { ...s, charged: choiceOf(a) === 'yes' } } : { problem: t('intake.problem.pick') },
      },
      {
        id: 'score',
        ask: () => ({
          text: t('intake.revisit.ask.score'),
          choices: Array.from({ length: 10 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })),
        }),
        read: async (_tx, s, a) => {
          const score = Number(choiceOf(a));
          return score >= 1 && score <= 10 ? { state: { ...s, score } } : { problem: t('intake.problem.score') };
        },
      },
      {
        id: 'comment',
        ask: () => ({ text: t('intake.revisit.ask.comment'), choices: [{ value: 'none', label: t('intake.skip') }] }),
        read: async (tx, s, a, who) => {
          let comment = '';
          if ('text' in a) {
            const checked = checkText(a.text, 1, COMMENT_MAX);
            if (!checked.ok) return { problem: problemText(t, checked) };
            comment = String(checked.value);
          }
          return { done: [{ text: await this.record(tx, s, comment, who.staff) }] };
        },
      },
    ];
  }

  /** Hands the answers to the revisit, checked again now (the ticket may have moved meanwhile). */
  private async record(tx: StoreTx, s: PhoneRevisitState, comment: string, staff: Staff): Promise<string> {
    const refused = await this.refusal(tx, staff, s.number);
    if (refused) return refused;
    const ticket = await tx.getTicketByNumber(s.number);
    if (!ticket || s.solved === undefined || !s.attitude || s.charged === undefined || !s.score)
      return this.t('intake.problem.incomplete');
    const answers = {
      solved: s.solved,
      attitude: s.attitude,
      charged: s.charged,
      score: s.score,
      ...(comment ? { comment } : {}),
    };
    const result = await this.owners.revisitByPhone(tx, ticket, answers, {
      type: 'staff',
      id: staff.id,
      name: staff.displayName,
    });
    return result.message;
  }
}
