/**
 * `/notice` alone: a notice drafted one question at a time (kind, urgent?, target, period, text, photo,
 * send time), for staff who do not remember the one-line form. The state is a session with an expiry per
 * staff member (telegraf scenes' `{ current, expires, state }`), versioned and checked on every read: an
 * expired or unreadable one is dropped, never acted on. Buttons answer where the platform has them; a typed
 * word or the number of a choice answers anywhere. 取消 / cancel ends it.
 */
import { z } from 'zod';
import { checkTimes, splitLanguages } from '../../core/notices/command.js';
import { isOutage, kindOf } from '../../core/notices/kinds.js';
import { parseTarget } from '../../core/notices/target.js';
import { readInstant, readPeriod } from '../../core/notices/when.js';
import { NOTICE_KINDS, type NoticeKind, type StoreTx } from '../../core/ports.js';
import { type ComposeChoice, encodeNoticeButton, type NoticeButton } from '../../core/protocol/notice-buttons.js';
import { type Button, CHANNELS, type Inbound, type OutboundMessage } from '../../core/types.js';
import { readStaffSession } from '../staff-sessions.js';
import type { NoticeActor, NoticeCommandResult, NoticeStaff, NoticeVia } from './staff.js';
import type { NoticeSupport } from './support.js';

/** How long a question waits for its answer. */
export const COMPOSE_TTL_MS = 30 * 60_000;
const KEY = (staffId: string) => `notice.compose:${staffId}`;
const STEPS = ['kind', 'urgent', 'target', 'period', 'text', 'photo', 'send'] as const;
type Step = (typeof STEPS)[number];

const STORED = z.object({
  v: z.literal(1),
  current: z.enum(STEPS),
  expires: z.iso.datetime(),
  state: z.object({
    kind: z.enum(NOTICE_KINDS).optional(),
    urgent: z.boolean().optional(),
    target: z
      .union([
        z.object({ kind: z.literal('all') }),
        z.object({ kind: z.literal('places'), places: z.array(z.string()).min(1) }),
      ])
      .optional(),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    text: z.object({ 'zh-CN': z.string().optional(), en: z.string().optional() }).optional(),
    photo: z.object({ channel: z.enum(CHANNELS), fileRef: z.string() }).optional(),
  }),
});
type Session = z.infer<typeof STORED>;

const QUIT_WORDS = new Set(['取消', '退出', '/cancel', 'cancel', 'quit']);
const SKIP_WORDS = new Set(['跳过', '不要', '没有', '无', 'skip', 'no', 'none']);

export class NoticeCompose {
  constructor(
    private readonly kit: NoticeSupport,
    private readonly staff: NoticeStaff,
  ) {}

  /** Opens (or restarts) the staff member's session and asks the first question. */
  async start(tx: StoreTx, actor: NoticeActor): Promise<NoticeCommandResult> {
    const session: Session = { v: 1, current: 'kind', expires: this.expiry(), state: {} };
    await tx.setSetting(KEY(actor.id), JSON.stringify(session));
    return { ok: true, reply: [this.question(session)] };
  }

  /** Whether the staff member is in the middle of drafting (an expired session is cleared). */
  async active(tx: StoreTx, staffId: string): Promise<Session | undefined> {
    return readStaffSession(tx, KEY(staffId), STORED, this.kit.now());
  }

  /**
   * The staff member's answer to the question on screen: a typed text, a photo, or a compose button.
   * Undefined when they have no session (the message is someone else's to handle).
   */
  async answer(
    tx: StoreTx,
    actor: NoticeActor,
    inbound: Inbound,
    via: NoticeVia,
    button?: NoticeButton,
  ): Promise<NoticeCommandResult | undefined> {
    const session = await this.active(tx, actor.id);
    if (!session) return undefined;
    const c = inbound.content;
    const typed = c.type === 'text' ? c.text.trim() : c.type === 'photo' ? (c.caption?.trim() ?? '') : '';
    let picked = button ?? (c.type === 'text' ? this.byNumber(session, typed) : undefined);
    if (!picked && QUIT_WORDS.has(typed.toLowerCase())) picked = { type: 'choice', choice: 'quit' };
    if (picked?.type === 'choice' && picked.choice === 'quit') {
      await tx.setSetting(KEY(actor.id), '');
      return { ok: true, reply: [{ text: this.kit.staffT('notice.compose.quit') }] };
    }
    const state = session.state;
    const now = this.kit.now();
    const zone = this.kit.zone;
    const again = (key: string, detail = '') => this.ask(tx, actor, session, this.kit.staffT(key, { detail }));
    switch (session.current) {
      case 'kind': {
        const kind: NoticeKind | undefined = picked?.type === 'kind' ? picked.kind : kindOf(typed);
        if (!kind) return again('notice.problem.unknown_kind', typed);
        state.kind = kind;
        state.urgent = kind === 'weather';
        return this.next(tx, actor, session, isOutage(kind) ? 'urgent' : 'target');
      }
      case 'urgent': {
        const choice = picked?.type === 'choice' ? picked.choice : this.yesNo(typed);
        if (choice !== 'urgent' && choice !== 'normal') return again('notice.compose.pick_one');
        state.urgent = choice === 'urgent';
        return this.next(tx, actor, session, 'target');
      }
      case 'target': {
        const target =
          picked?.type === 'choice' && picked.choice === 'all' ? { kind: 'all' as const } : parseTarget(typed);
        if (!target) return again('notice.problem.bad_target', typed);
        state.target = target;
        return this.next(tx, actor, session, 'period');
      }
      case 'period': {
        const period = readPeriod(typed, now, zone);
        if (!period || period.rest) return again('notice.problem.bad_period', typed);
        const problem = checkTimes(period.from, period.to, undefined, now);
        if (problem) return again(`notice.problem.${problem}`);
        state.from = period.from.toISOString();
        state.to = period.to.toISOString();
        return this.next(tx, actor, session, 'text');
      }
      case 'text': {
        const split = splitLanguages(typed);
        if (!split.ok) return again(`notice.problem.${split.problem}`);
        state.text = split.text;
        return this.next(tx, actor, session, 'photo');
      }
      case 'photo': {
        if (c.type === 'photo') state.photo = { channel: inbound.channel, fileRef: c.fileRef };
        else if (!(picked?.type === 'choice' && picked.choice === 'skip') && !SKIP_WORDS.has(typed.toLowerCase()))
          return again('notice.compose.photo_or_skip');
        return this.next(tx, actor, session, 'send');
      }
      case 'send': {
        const now_ = picked?.type === 'choice' && picked.choice === 'now';
        const read = now_ ? { at: now, rest: '' } : readInstant(typed, now, zone);
        if (!read || read.rest) return again('notice.problem.bad_send', typed);
        const from = new Date(state.from ?? 0);
        const to = new Date(state.to ?? 0);
        const sendAt = read.at.getTime() > now.getTime() ? read.at : undefined;
        const problem = checkTimes(from, to, sendAt, now);
        if (problem) return again(`notice.problem.${problem}`);
        if (!state.kind || !state.target || !state.text) return again('notice.compose.pick_one');
        await tx.setSetting(KEY(actor.id), '');
        return this.staff.create(
          tx,
          {
            kind: state.kind,
            urgent: state.urgent ?? false,
            target: state.target,
            validFrom: from,
            validTo: to,
            ...(sendAt ? { sendAt } : {}),
            text: state.text,
            noReminder: false,
          },
          actor,
          via,
          state.photo,
        );
      }
    }
  }

  private yesNo(typed: string): ComposeChoice | undefined {
    const s = typed.toLowerCase();
    if (['紧急', '是', '急', 'urgent', 'yes', 'emergency'].includes(s)) return 'urgent';
    if (['一般', '否', '不是', '不急', 'normal', 'no'].includes(s)) return 'normal';
    return undefined;
  }

  private expiry(): string {
    return new Date(this.kit.now().getTime() + COMPOSE_TTL_MS).toISOString();
  }

  private async next(tx: StoreTx, actor: NoticeActor, session: Session, step: Step): Promise<NoticeCommandResult> {
    return this.ask(tx, actor, { ...session, current: step });
  }

  private async ask(tx: StoreTx, actor: NoticeActor, session: Session, lead?: string): Promise<NoticeCommandResult> {
    const kept: Session = { ...session, expires: this.expiry() };
    await tx.setSetting(KEY(actor.id), JSON.stringify(kept));
    const question = this.question(kept);
    return { ok: !lead, reply: [lead ? { ...question, text: `${lead}\n\n${question.text}` } : question] };
  }

  /** The buttons of a question, in the order their numbers are typed. */
  private choices(step: Step): NoticeButton[] {
    switch (step) {
      case 'kind':
        return NOTICE_KINDS.map((kind) => ({ type: 'kind', kind }));
      case 'urgent':
        return [
          { type: 'choice', choice: 'urgent' },
          { type: 'choice', choice: 'normal' },
        ];
      case 'target':
        return [{ type: 'choice', choice: 'all' }];
      case 'photo':
        return [{ type: 'choice', choice: 'skip' }];
      case 'send':
        return [{ type: 'choice', choice: 'now' }];
      default:
        return [];
    }
  }

  private byNumber(session: Session, typed: string): NoticeButton | undefined {
    const n = typed.match(/^([0-9]{1,2})[.。]?$/)?.[1];
    // At the target question a number is a building; where there are no choices it is the text itself.
    const choices = this.choices(session.current);
    if (!n || session.current === 'target' || choices.length === 0) return undefined;
    return [...choices, { type: 'choice' as const, choice: 'quit' as const }][Number(n) - 1];
  }

  private question(session: Session): OutboundMessage {
    const label = (b: NoticeButton) =>
      b.type === 'kind'
        ? this.kit.staffT(`notice.kind.${b.kind}`)
        : b.type === 'choice'
          ? this.kit.staffT(`notice.compose.choice.${b.choice}`)
          : '';
    const buttons: Button[] = this.choices(session.current).map((b) => ({
      label: label(b),
      data: encodeNoticeButton(b),
    }));
    const rows: Button[][] = [];
    for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
    rows.push([
      {
        label: this.kit.staffT('notice.compose.choice.quit'),
        data: encodeNoticeButton({ type: 'choice', choice: 'quit' }),
      },
    ]);
    return { text: this.kit.staffT(`notice.compose.ask.${session.current}`), buttons: rows };
  }
}
