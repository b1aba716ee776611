/**
 * A ticket taken elsewhere (代客登记): a complaint that came by phone, at the counter, through a guard or
 * a cleaner, or by letter, entered by staff in the same read-back style as the owner's own report —
 * source, the owner's name, phone and place, the problem (its kind and category suggested by the
 * understanding, as for an owner's free text), whether to tell the owner in the chat — then read back and
 * confirmed. The owner is found by phone where they already use the bot and, if staff chose so, told the
 * ticket's number there; otherwise the ticket is followed by phone (its revisit too). From then on it is
 * an ordinary ticket: its card, acceptance, deadlines, resolution and revisit.
 */
import { z } from 'zod';
import { checkLocation, checkPhone, checkText } from '../../core/flow/answers.js';
import { formatUnit } from '../../core/location.js';
import { CARD_SUMMARY_FROM } from '../../core/ports/assistant.js';
import type { StoreTx } from '../../core/ports.js';
import { type Actor, maskPhone, newTicket, type Ticket } from '../../core/tickets/ticket.js';
import {
  type Address,
  CATEGORIES,
  type Category,
  type EstateLocation,
  type Inbound,
  labelColon,
  type OutboundMessage,
  type Owner,
  type Staff,
  TICKET_KINDS,
  TICKET_SOURCES,
  type TicketKind,
  type TicketSource,
  type Translate,
  URGENCIES,
} from '../../core/types.js';
import { DESCRIPTION_MAX } from '../../core/understand/understanding.js';
import { recordTicketChange } from '../audit/trail.js';
import type { AppContext } from '../context.js';
import { alertEmergency } from '../deadlines.js';
import type { OwnerSide } from '../owner/conversations.js';
import { describeLocation } from '../render.js';
import { nextTicketNumber } from '../tickets/numbers.js';
import { scheduleDeadlines } from '../tickets/timers.js';
import { choiceOf, type GuidedFlow, problemText, type Step, textOf, yesNo } from './guided.js';

/** The sources staff choose from (a ticket from the chat is the owner's own). */
export const TAKEN_SOURCES = TICKET_SOURCES.filter((s): s is Exclude<TicketSource, 'chat'> => s !== 'chat');
/** The longest name taken for an owner. */
const NAME_MAX = 20;

const LOCATION = z.union([
  z.object({ kind: z.literal('unit'), building: z.string(), unit: z.string().optional(), room: z.string() }),
  z.object({ kind: z.literal('public'), description: z.string() }),
]);

const STATE = z.object({
  source: z.enum(TAKEN_SOURCES).optional(),
  name: z.string().optional(),
  phone: z.string().optional(),
  /** The owner who uses the bot with this phone number (the latest one reachable in a chat). */
  linked: z.string().optional(),
  place: LOCATION.optional(),
  problem: z.string().optional(),
  summary: z.string().optional(),
  suggested: z.object({ kind: z.enum(TICKET_KINDS), category: z.enum(CATEGORIES) }).optional(),
  urgency: z.enum(URGENCIES).optional(),
  kind: z.enum(TICKET_KINDS).optional(),
  category: z.enum(CATEGORIES).optional(),
  tell: z.boolean().optional(),
});
export type NewTicketState = z.infer<typeof STATE>;

export class NewTickets {
  readonly flow: GuidedFlow<NewTicketState>;

  constructor(
    private readonly ctx: AppContext,
    private readonly owners: OwnerSide,
  ) {
    this.flow = { code: 'n', steps: this.steps(), parse: (s) => STATE.safeParse(s).data };
  }

  private get t(): Translate {
    return (key, params) => this.ctx.t(this.ctx.staffLocale, key, params);
  }

  private steps(): Step<NewTicketState>[] {
    const t = this.t;
    const suggestedMark = (on: boolean, label: string) => (on ? t('intake.new.suggested', { label }) : label);
    return [
      {
        id: 'source',
        ask: () => ({
          text: t('intake.new.ask.source'),
          choices: TAKEN_SOURCES.map((s) => ({ value: s, label: t(`ticket_source.${s}`) })),
        }),
        read: async (_tx, state, a) => {
          const source = TAKEN_SOURCES.find((s) => s === choiceOf(a));
          return source ? { state: { ...state, source } } : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'name',
        ask: () => ({ text: t('intake.new.ask.name') }),
        read: async (_tx, state, a) => {
          const checked = checkText(textOf(a), 1, NAME_MAX);
          if (!checked.ok) return { problem: problemText(t, checked) };
          return { state: { ...state, name: String(checked.value) } };
        },
      },
      {
        id: 'phone',
        ask: () => ({ text: t('intake.new.ask.phone') }),
        read: async (tx, state, a) => {
          const checked = checkPhone(textOf(a));
          if (!checked.ok) return { problem: t('intake.problem.phone') };
          const phone = String(checked.value);
          const linked = (await tx.findOwnersByPhone(phone))
            .filter((o) => o.identities.length > 0 && !o.unreachable)
            .at(-1);
          const { linked: _before, ...rest } = state;
          return { state: { ...rest, phone, ...(linked ? { linked: linked.id } : {}) } };
        },
      },
      {
        id: 'place',
        ask: () => ({ text: t('intake.new.ask.place') }),
        read: async (_tx, state, a) => {
          const checked = checkLocation(textOf(a));
          if (!checked.ok) return { problem: problemText(t, checked) };
          return { state: { ...state, place: checked.value as EstateLocation } };
        },
      },
      {
        id: 'problem',
        ask: () => ({ text: t('intake.new.ask.problem') }),
        read: async (_tx, state, a) => {
          const checked = checkText(textOf(a), 2, DESCRIPTION_MAX);
          if (!checked.ok) return { problem: problemText(t, checked) };
          const problem = String(checked.value);
          // The same reading as an owner's free text: suggestions for the next two questions, never a filing.
          const understood = this.ctx.assistant?.understandNow(problem);
          return {
            state: {
              ...state,
              problem,
              ...(understood
                ? {
                    suggested: { kind: understood.kind, category: understood.category },
                    urgency: understood.urgency,
                    summary: understood.summary,
                  }
                : {}),
            },
          };
        },
      },
      {
        id: 'kind',
        ask: (state) => ({
          text: t('intake.new.ask.kind'),
          choices: TICKET_KINDS.map((k) => ({
            value: k,
            label: suggestedMark(state.suggested?.kind === k, t(`ticket.kind.${k}`)),
          })),
        }),
        read: async (_tx, state, a) => {
          const kind = TICKET_KINDS.find((k) => k === choiceOf(a));
          return kind ? { state: { ...state, kind } } : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'category',
        ask: (state) => {
          const suggested = state.suggested?.category;
          const ordered = suggested ? [suggested, ...CATEGORIES.filter((c) => c !== suggested)] : [...CATEGORIES];
          return {
            text: t('intake.new.ask.category'),
            choices: ordered.map((c) => ({
              value: c,
              label: suggestedMark(c === suggested, t(`ticket.category.${c}`)),
            })),
          };
        },
        read: async (_tx, state, a) => {
          const category = CATEGORIES.find((c) => c === choiceOf(a));
          return category ? { state: { ...state, category } } : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'tell',
        // Only an owner who uses the bot can be told in the chat.
        skip: (state) => !state.linked,
        ask: () => ({ text: t('intake.new.ask.tell'), choices: yesNo(t) }),
        read: async (_tx, state, a) => {
          const c = choiceOf(a);
          return c === 'yes' || c === 'no'
            ? { state: { ...state, tell: c === 'yes' } }
            : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'confirm',
        ask: (state) => ({
          text: this.readBack(state),
          choices: [{ value: 'ok', label: t('intake.new.confirm_button') }],
        }),
        read: async (tx, state, a, who) => {
          if (choiceOf(a) !== 'ok') return { problem: t('intake.problem.confirm') };
          return { done: await this.create(tx, state, who.staff, who.inbound) };
        },
      },
    ];
  }

  /** The read-back (跟读确认): what will be recorded, for the staff member to check before confirming. */
  readBack(state: NewTicketState): string {
    const t = this.t;
    const followed = state.linked && state.tell ? 'intake.new.followed_chat' : 'intake.new.followed_phone';
    const field = (key: string, value: string) =>
      `${t(`intake.new.field.${key}`)}${labelColon(this.ctx.staffLocale)}${value}`;
    return [
      t('intake.new.readback_title'),
      field('source', state.source ? t(`ticket_source.${state.source}`) : '—'),
      field('owner', `${state.name ?? '—'} ${maskPhone(state.phone)}`),
      field('place', describeLocation(t, state.place)),
      field('kind', state.kind ? t(`ticket.kind.${state.kind}`) : '—'),
      field('category', state.category ? t(`ticket.category.${state.category}`) : '—'),
      field('urgency', t(`ticket.urgency.${state.urgency ?? 'normal'}`)),
      field('problem', state.problem ?? '—'),
      t(followed),
      t('intake.new.readback_end'),
    ].join('\n');
  }

  /** Records the confirmed ticket: its card, deadlines and (if chosen) the owner told in the chat. */
  private async create(tx: StoreTx, state: NewTicketState, staff: Staff, inbound: Inbound): Promise<OutboundMessage[]> {
    const { source, name, phone, place, problem, kind, category } = state;
    if (!source || !name || !phone || !place || !problem || !kind || !category) {
      return [{ text: this.t('intake.problem.incomplete') }];
    }
    const now = this.ctx.clock.now();
    const linked = state.linked && state.tell ? await tx.getOwner(state.linked) : undefined;
    const identity = linked?.identities.at(-1);
    const owner = linked && identity ? linked : await this.offlineOwner(tx, name, phone, place, now);
    const origin: Address =
      identity && linked ? { channel: identity.channel, chatId: identity.chatId } : offline(inbound, owner);
    const number = await nextTicketNumber(this.ctx, tx, now);
    const actor: Actor = { type: 'staff', id: staff.id, name: staff.displayName };
    const created = newTicket({
      id: this.ctx.newId(),
      number,
      draft: {
        kind: kind as TicketKind,
        category: category as Category,
        urgency: state.urgency ?? 'normal',
        location: place,
        description: problem,
        attachments: [],
        contact: { name, phone },
      },
      ownerId: owner.id,
      origin,
      at: now,
    });
    // Recorded by the staff member who took it, with where it came from.
    const ticket: Ticket = {
      ...created,
      source,
      // A summary on the card from the same length as an owner's own report (owner/tickets.ts).
      ...(state.summary && [...problem].length >= CARD_SUMMARY_FROM ? { summary: state.summary } : {}),
      timeline: created.timeline.map((e) => (e.action === 'create' ? { ...e, actor, data: { source } } : e)),
    };
    await tx.saveTicket(ticket);
    // Taken by a staff member: on the audit log as every other staff change of a ticket (tickets/changes.ts).
    await recordTicketChange(this.ctx, tx, ticket);
    this.ctx.log.info({ ticket: number, source, urgency: ticket.urgency, staff: staff.id }, 'ticket taken by staff');
    await this.ctx.postCard(tx, ticket);
    if (ticket.urgency === 'emergency') await alertEmergency(this.ctx, tx, ticket);
    await scheduleDeadlines(this.ctx, tx, ticket);
    if (owner !== linked) {
      return [{ text: this.t('intake.new.done_phone', { number, phone: maskPhone(phone) }) }];
    }
    const told = await this.owners.notify(tx, ticket, 'intake.owner.told', {
      number,
      name,
      source: this.ctx.t(owner.locale, `ticket_source.${source}`),
      problem: ticket.summary ?? clipped(problem, 60),
    });
    return [{ text: this.t(told ? 'intake.new.done_chat' : 'intake.new.done_unreached', { number }) }];
  }

  /**
   * The owner followed by phone: the one without a chat already kept for this number, or a new one. Not
   * reachable in a chat, so every change asks staff to phone them and the revisit is a phone revisit.
   */
  private async offlineOwner(
    tx: StoreTx,
    name: string,
    phone: string,
    place: EstateLocation,
    now: Date,
  ): Promise<Owner> {
    const units = place.kind === 'unit' ? [formatUnit(place)] : [];
    const known = (await tx.findOwnersByPhone(phone)).find((o) => o.identities.length === 0);
    const owner: Owner = known
      ? { ...known, name, units: [...new Set([...units, ...known.units])].slice(0, 5), updatedAt: now }
      : {
          id: this.ctx.newId(),
          identities: [],
          name,
          phone,
          units,
          locale: this.ctx.settings.defaultLocale,
          privacyNoticeShown: false,
          unreachable: true,
          createdAt: now,
          updatedAt: now,
        };
    await tx.saveOwner(owner);
    return owner;
  }
}

/** Where a ticket followed by phone "came from": the staff member's channel, a chat no message is sent to. */
function offline(inbound: Inbound, owner: Owner): Address {
  return { channel: inbound.channel, chatId: `offline:${owner.id}` };
}

function clipped(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : chars.join('');
}
