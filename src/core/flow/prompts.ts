/**
 * What every question looks like: a flow step's question by its answer kind, the built-in questions (the
 * menu, the language list, my tickets, which ticket, cancel?, is it happening now?), the question now
 * waiting for an answer, and closing an answered question (its buttons off, the answer shown under it).
 * Rendering only, no decisions: kept apart from what an answer does, so that asking a question again
 * (after bad input, a stale button, /help) needs nothing but the state.
 */
import type { EstateLocation } from '../types.js';
import { formatPhone } from './answers.js';
import type { FlowContext, TicketSummary } from './contract.js';
import { readbackPrompt, showLocation } from './readback.js';
import type { StepSpec } from './schema.js';
import type { PhotoAnswer } from './state.js';
import type { Prompt, Turn } from './turn.js';
import { LANGUAGES } from './words.js';

/** The question now waiting for an answer, rendered as it was (or would be) sent. */
export function currentPrompt(turn: Turn): Prompt | undefined {
  const prompt = turn.state.prompt;
  if (prompt === 'menu') return menuPrompt(turn);
  if (prompt === 'lang') return langPrompt(turn);
  if (prompt === 'pick_ticket') return pickTicketPrompt(turn);
  if (prompt === 'mytickets') return myTicketsPrompt(turn);
  if (prompt === 'confirm_cancel') return confirmCancelPrompt(turn);
  if (prompt === 'emergency_check') return emergencyCheckPrompt(turn);
  const step = turn.currentStep();
  return step ? stepPrompt(turn, step) : undefined;
}

/** Takes the buttons off an answered question and shows the answer under it (where the platform edits). */
export function closePrompt(turn: Turn, step: StepSpec, shown: string): void {
  const prompt = stepPrompt(turn, step);
  if (prompt.buttons.length === 0) return;
  // The flow's intro came in this message (a survey's invitation: who asks, why, how long): it stays. An
  // owner scrolling back should find the invitation as it was sent, not a bare question whose opening
  // words have vanished; an error said before a question again is dropped, as it no longer applies.
  const flow = turn.flow;
  const spec = turn.spec();
  const intro =
    flow && spec?.intro && flow.introSeq === turn.state.seq ? turn.t(spec.intro, stringParams(flow.context)) : '';
  // What else headed the question to stay (the privacy notice, a receipt the application put above it).
  const opening = turn.state.opening?.seq === turn.state.seq ? turn.state.opening.text : '';
  turn.editPrompt([opening, intro, `${prompt.text}\n\n✓ ${shown}`].filter(Boolean).join('\n\n'));
}

/**
 * Takes the buttons off an answered built-in question (the menu, the language list, which ticket, my
 * tickets, cancel?) and shows the answer under it, as closePrompt does for a flow's questions, so that
 * an old menu cannot be tapped again.
 */
export function closeBuiltInPrompt(turn: Turn, label: string): void {
  const prompt = turn.state.prompt ? currentPrompt(turn) : undefined;
  if (!prompt || prompt.buttons.length === 0) return;
  const text = turn.state.prompt === 'menu' ? turn.t(turn.flow ? 'menu.title_resume' : 'menu.title') : prompt.text;
  const opening = turn.state.opening?.seq === turn.state.seq ? turn.state.opening.text : '';
  turn.editPrompt([opening, `${text}\n\n✓ ${label}`].filter(Boolean).join('\n\n'));
}

export function menuPrompt(turn: Turn): Prompt {
  const buttons = turn.ctx.registry.menu.entries.map((e) => ({ label: turn.t(e.label), value: `m.${e.id}` }));
  if (turn.flow) buttons.unshift({ label: turn.t('menu.resume'), value: 'resume' });
  return { text: turn.t('menu.title'), buttons, columns: 2 };
}

export function langPrompt(turn: Turn): Prompt {
  return {
    text: turn.t('lang.choose'),
    buttons: LANGUAGES.map((l) => ({ label: l.label, value: `l.${l.locale}` })),
    columns: 2,
  };
}

/** One ticket in /mytickets: its state, who is accountable while it is open, and the next visit. */
function ticketLine(turn: Turn, ticket: TicketSummary): string {
  const line = turn.t('mytickets.line_next', {
    number: ticket.number,
    category: turn.t(`ticket.category.${ticket.category}`),
    next: turn.t(`mytickets.next.${ticket.status}`),
  });
  const who = ticket.open && ticket.assignee ? turn.t('mytickets.who', { name: ticket.assignee }) : undefined;
  const visit = ticket.visit ? turn.t('mytickets.visit', { time: ticket.visit }) : undefined;
  return [line, who, visit].filter(Boolean).join('\n   ');
}

export function myTicketsPrompt(turn: Turn): Prompt {
  const tickets = turn.ctx.tickets ?? [];
  const text =
    tickets.length === 0
      ? turn.t('mytickets.none')
      : [turn.t('mytickets.header', { count: tickets.length }), ...tickets.map((t) => ticketLine(turn, t))].join('\n');
  const buttons = tickets
    .filter((t) => t.cancellable)
    .map((t) => ({ label: turn.t('mytickets.cancel_button', { number: t.number }), value: `x.${t.id}` }));
  return { text, buttons: [...buttons, { label: turn.t('menu.back_to_menu'), value: 'menu' }], columns: 1 };
}

export function confirmCancelPrompt(turn: Turn): Prompt {
  const ticket = (turn.ctx.tickets ?? []).find((t) => t.id === turn.state.promptData?.[0]);
  return {
    text: turn.t('owner.cancel_confirm', { number: ticket?.number ?? '' }),
    buttons: [
      { label: turn.t('common.yes'), value: 'y' },
      { label: turn.t('common.no'), value: 'n' },
    ],
    columns: 2,
  };
}

export function pickTicketPrompt(turn: Turn): Prompt {
  const fresh = turn.state.promptData?.[1] ? [{ label: turn.t('owner.new_problem'), value: 'new' }] : [];
  return {
    text: turn.t('owner.note_pick'),
    buttons: [...turn.openTickets().map((t) => ({ label: ticketLine(turn, t), value: `t.${t.id}` })), ...fresh],
    columns: 1,
  };
}

export function emergencyCheckPrompt(turn: Turn): Prompt {
  return {
    text: turn.t('emergency.check.ask'),
    buttons: [
      { label: turn.t('emergency.check.yes'), value: 'y' },
      { label: turn.t('emergency.check.no'), value: 'n' },
    ],
    columns: 2,
  };
}

/** A flow step's question with the buttons its answer kind offers (and 跳过 where it is optional). */
export function stepPrompt(turn: Turn, step: StepSpec): Prompt {
  const flow = turn.flow;
  const params = stringParams(flow?.context ?? {});
  const question = turn.t(step.ask, params);
  const skip = step.optional ? [{ label: turn.t('common.skip'), value: 'skip' }] : [];
  const a = step.answer;
  switch (a.kind) {
    case 'choice': {
      // A shortlist in the flow's context (the likeliest categories + 其他), unless the owner is editing.
      const only = flow && !flow.editing ? flow.context[`only.${step.id}`] : undefined;
      const listed = typeof only === 'string' ? only.split(',') : undefined;
      const options = listed ? a.options.filter((o) => listed.includes(o)) : a.options;
      return {
        text: question,
        buttons: [...options.map((o) => ({ label: turn.t(`${a.labels}.${o}`), value: `o.${o}` })), ...skip],
        columns: a.columns,
      };
    }
    case 'yesno':
      return {
        text: question,
        buttons: [{ label: turn.t('common.yes'), value: 'y' }, { label: turn.t('common.no'), value: 'n' }, ...skip],
        columns: 2,
      };
    case 'multi': {
      const picked = flow?.picked ?? [];
      return {
        text: question,
        buttons: [
          ...a.options.map((o) => ({
            label: `${picked.includes(o) ? '✓ ' : ''}${turn.t(`${a.labels}.${o}`)}`,
            value: `o.${o}`,
          })),
          { label: turn.t('common.done_count', { count: picked.length }), value: 'done' },
          ...skip,
        ],
        columns: a.columns,
      };
    }
    case 'rating': {
      const buttons: { label: string; value: string }[] = [];
      for (let n = a.max; n >= a.min; n--) {
        buttons.push({ label: a.labels ? `${turn.t(`${a.labels}.${n}`)}` : String(n), value: `r.${n}` });
      }
      if (!a.labels) buttons.reverse();
      return { text: question, buttons: [...buttons, ...skip], columns: a.labels ? 1 : 5 };
    }
    case 'photos': {
      const count = ((flow?.answers[step.id] as PhotoAnswer[] | undefined) ?? []).length;
      return {
        text: question,
        buttons: [{ label: turn.t(count > 0 ? 'photos.done' : 'photos.none'), value: 'done' }],
        columns: 1,
      };
    }
    case 'location': {
      if (flow?.stage === 'public') return { text: turn.t('location.public_ask'), buttons: skip, columns: 1 };
      if (flow?.stage === 'confirm_place' && flow.pending !== undefined) {
        return {
          text: turn.t('location.confirm_place', { place: showLocation(turn, flow.pending as EstateLocation) }),
          buttons: [
            { label: turn.t('common.yes'), value: 'place_ok' },
            { label: turn.t('location.retype'), value: 'place_retype' },
          ],
          columns: 2,
        };
      }
      const units = turn.ctx.owner.units
        .slice(0, 3)
        .map((u, i) => ({ label: turn.t('location.my_unit', { unit: u }), value: `u.${i}` }));
      return {
        text: question,
        buttons: [...units, { label: turn.t('location.public'), value: 'pub' }, ...skip],
        columns: 1,
      };
    }
    case 'confirm':
      return readbackPrompt(turn, a.fields, question);
    case 'text':
    case 'phone': {
      const saved = step.prefill ? turn.ctx.owner[step.prefill] : undefined;
      const current = flow?.answers[step.id];
      const offer = typeof current === 'string' ? current : saved;
      const use = offer
        ? [
            {
              label: turn.t('common.use', { value: step.answer.kind === 'phone' ? formatPhone(offer) : offer }),
              value: 'keep',
            },
          ]
        : [];
      return { text: question, buttons: [...use, ...skip], columns: 1 };
    }
  }
}

/** A flow's context as text parameters (flags left out). */
export function stringParams(context: FlowContext): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(context)) if (typeof v !== 'boolean') out[k] = v;
  return out;
}
