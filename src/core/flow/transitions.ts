/**
 * A flow's life in a conversation: started (or queued behind the one running), each answer kept and the
 * next applicable step asked, effects named as steps are passed, finished, cancelled, stepped back with
 * /back, carried over to a changed flow version, and the next queued flow started when one ends. The
 * state machine in one place, apart from how answers are read and questions shown, so that every way of
 * moving through a flow goes through the same few functions.
 */

import { ask, askAgain, showMenu } from './asking.js';
import type { EngineEvent, FlowContext } from './contract.js';
import { holds, nextStepId, pathOf } from './paths.js';
import { closePrompt, stringParams } from './prompts.js';
import { getStep } from './registry.js';
import type { FlowSpec, StepSpec } from './schema.js';
import type { AnswerValue } from './state.js';
import type { Turn } from './turn.js';

/** A flow changed under a live conversation: carry the answers over, or restart it politely (then true). */
export function migrate(turn: Turn): boolean {
  const flow = turn.flow;
  if (!flow) return false;
  const spec = turn.ctx.registry.flows.get(flow.flowId);
  if (!spec) {
    turn.state.flow = undefined;
    turn.say('flow.gone');
    return false;
  }
  if (spec.version === flow.flowVersion) return false;
  const kept: Record<string, AnswerValue> = {};
  for (const [id, value] of Object.entries(flow.answers)) if (getStep(spec, id)) kept[id] = value;
  flow.answers = kept;
  flow.flowVersion = spec.version;
  flow.history = flow.history.filter((id) => getStep(spec, id));
  if (!getStep(spec, flow.stepId)) {
    flow.stage = undefined;
    flow.editing = false;
    flow.preset = Object.keys(kept);
    turn.say('flow.changed');
    goTo(turn, spec.steps[0]?.id);
    return true;
  }
  return false;
}

/** The application starts a flow: at once, or (`queueIfBusy`) after the flow or question the owner is in. */
export function requestFlow(turn: Turn, event: Extract<EngineEvent, { type: 'start' }>): void {
  // A question about a ticket (a plan, a refusal, a visit time) does not wait behind the afterthoughts of a
  // flow that has already filed its ticket (an emergency's call-back number and "what is happening"): an
  // owner who left those unanswered would otherwise never see it. Those questions are simply dropped.
  if (event.queueIfBusy && turn.flow && !awaitingOwner(turn) && hasFiled(turn)) turn.state.flow = undefined;
  if (event.queueIfBusy && (turn.flow || awaitingOwner(turn))) {
    const running = turn.flow?.flowId === event.flowId && sameContext(turn.flow.context, event.context ?? {});
    if (
      !running &&
      !turn.state.queue.some((q) => q.flowId === event.flowId && sameContext(q.context, event.context ?? {}))
    ) {
      turn.state.queue.push({
        flowId: event.flowId,
        context: event.context ?? {},
        queuedAt: turn.ctx.now.toISOString(),
      });
    }
    return;
  }
  startFlow(turn, event.flowId, event.context ?? {}, event.preset ?? {});
}

export function startFlow(turn: Turn, flowId: string, context: FlowContext, preset: Record<string, AnswerValue>): void {
  const spec = turn.ctx.registry.flows.get(flowId);
  if (!spec) return showMenu(turn, turn.t('flow.gone'));
  turn.state.prompt = undefined;
  const answers: Record<string, AnswerValue> = { ...preset };
  for (const s of spec.steps) {
    const value = s.prefill ? turn.ctx.owner[s.prefill] : undefined;
    if (value && answers[s.id] === undefined) answers[s.id] = value;
  }
  turn.state.flow = {
    flowId,
    flowVersion: spec.version,
    stepId: spec.steps[0]?.id ?? '',
    answers,
    history: [],
    preset: Object.keys(answers),
    context,
    startedAt: turn.ctx.now.toISOString(),
  };
  // The intro rides with the first question, one message instead of two: under Telegram's 30 messages a
  // second a survey's invitations then go twice as fast, and an owner's chat (1 a second) waits a second less.
  goTo(turn, spec.steps[0]?.id, spec.intro ? turn.t(spec.intro, stringParams(context)) : undefined);
}

/**
 * Asks the first step from `id` on that applies and is not already answered by a preset or an edit;
 * `opening` (a flow's intro) goes with that question, or on its own before anything else said meanwhile.
 */
export function goTo(turn: Turn, id: string | undefined, opening?: string): void {
  const spec = turn.spec();
  const flow = turn.flow;
  if (!spec || !flow) return;
  const seen = new Set<string>();
  let next = id;
  while (next && !seen.has(next)) {
    seen.add(next);
    const s = getStep(spec, next);
    if (!s) break;
    const skip =
      (s.if && !holds(s.if, flow.answers, turn.ctx.owner)) ||
      (s.answer.kind !== 'confirm' &&
        ((flow.answers[s.id] !== undefined && (flow.editing || flow.preset?.includes(s.id))) ||
          // During an edit, an optional step the owner already skipped is not asked again.
          (flow.editing && s.optional && flow.history.includes(s.id)) ||
          // Started from the assistant's suggestions: optional questions wait for an edit at the read-back.
          (flow.context.suggested === true && s.optional && flow.answers[s.id] === undefined)));
    if (!skip) {
      if (s.answer.kind === 'confirm') flow.editing = false;
      flow.stepId = s.id;
      flow.stage = undefined;
      return ask(turn, s, opening ? { opening } : {});
    }
    // A question answered in advance (the place in an emergency message) still files the ticket.
    if (
      s.effect === 'ticket.create' &&
      s.answer.kind !== 'confirm' &&
      !flow.editing &&
      flow.preset?.includes(s.id) &&
      flow.answers[s.id] !== undefined &&
      !flow.history.includes(s.id)
    ) {
      flow.stepId = s.id;
      flow.history.push(s.id);
      if (opening) turn.send({ text: opening });
      opening = undefined;
      runEffect(turn, spec, s);
    }
    next = s.end ? undefined : nextStepId(spec, s, flow.answers, turn.ctx.owner);
  }
  if (opening) turn.send({ text: opening });
  finish(turn);
}

/** Keeps an answer to a step (closing its question) and moves on: the next step, the read-back, or the end. */
export function accept(turn: Turn, step: StepSpec, value: AnswerValue | undefined, shown: string): void {
  const flow = turn.flow;
  const spec = turn.spec();
  if (!flow || !spec) return;
  closePrompt(turn, step, shown);
  if (value === undefined) delete flow.answers[step.id];
  else flow.answers[step.id] = value;
  flow.preset = flow.preset?.filter((id) => id !== step.id);
  flow.picked = undefined;
  flow.pending = undefined;
  if (flow.history.at(-1) !== step.id) flow.history.push(step.id);
  flow.stage = undefined;
  if (step.effect && step.answer.kind !== 'confirm') runEffect(turn, spec, step);
  if (flow.editing) {
    const confirm = spec.steps.find((s) => s.answer.kind === 'confirm');
    if (confirm) return goTo(turn, nextStepId(spec, step, flow.answers, turn.ctx.owner) ?? confirm.id);
  }
  if (step.end) return finish(turn);
  goTo(turn, nextStepId(spec, step, flow.answers, turn.ctx.owner));
}

/** Names a step's effect with the answers on the owner's path. */
export function runEffect(turn: Turn, spec: FlowSpec, step: StepSpec): void {
  const flow = turn.flow;
  if (!flow || !step.effect) return;
  turn.effect({
    type: step.effect,
    flowId: spec.id,
    stepId: step.id,
    answers: answersOnPath(turn, spec),
    set: spec.set,
    context: flow.context,
  });
}

/** The flow ends: its `done` effect, then the next queued flow or the menu. */
export function finish(turn: Turn): void {
  const spec = turn.spec();
  const flow = turn.flow;
  if (spec?.done && flow) {
    turn.effect({
      type: spec.done,
      flowId: spec.id,
      stepId: flow.stepId,
      answers: answersOnPath(turn, spec),
      set: spec.set,
      context: flow.context,
    });
  }
  turn.state.flow = undefined;
  if (startQueued(turn)) return;
  if (spec?.after !== 'none') showMenu(turn, turn.t('menu.anything_else'));
}

/** Starts the flow waiting first in the queue; false when none waits. */
export function startQueued(turn: Turn): boolean {
  const queued = turn.state.queue.shift();
  if (!queued) return false;
  // A report an emergency interrupted comes back with its answers, and the owner is told so.
  if (queued.answers) turn.say('emergency.report_back');
  startFlow(turn, queued.flowId, queued.context, queued.answers ?? {});
  return true;
}

/** Drops the running flow, naming `flow.cancelled` with what was answered. */
export function abandon(turn: Turn): void {
  const flow = turn.flow;
  if (!flow) return;
  turn.effect({ type: 'flow.cancelled', flowId: flow.flowId, answers: flow.answers, context: flow.context });
  turn.state.flow = undefined;
}

/** /cancel: the running flow is dropped and said so, then the next queued flow or the menu. */
export function cancel(turn: Turn): void {
  turn.state.prompt = undefined;
  if (!turn.flow) {
    turn.say('flow.nothing_to_cancel');
    return showMenu(turn);
  }
  const key = turn.spec()?.cancelled ?? 'flow.cancelled';
  abandon(turn);
  turn.say(key);
  if (!startQueued(turn)) showMenu(turn);
}

/** /back: out of a built-in question or a step's inner stage, else the previous step answered. */
export function back(turn: Turn): void {
  const flow = turn.flow;
  const step = turn.currentStep();
  if (!flow || !step) return showMenu(turn);
  if (turn.state.prompt) {
    turn.state.prompt = undefined;
    return ask(turn, step);
  }
  if (flow.stage) {
    flow.stage = undefined;
    return ask(turn, step);
  }
  const previous = flow.history.pop();
  const spec = turn.spec();
  const target = previous && spec ? getStep(spec, previous) : undefined;
  if (!target) return askAgain(turn, turn.t('flow.at_first'));
  flow.stepId = target.id;
  flow.editing = false;
  ask(turn, target);
}

export function askAgainOrMenu(turn: Turn): void {
  if (turn.flow || turn.state.prompt) askAgain(turn);
  else menuOrQueued(turn);
}

/** Back to the menu, unless a flow was waiting for the owner's question to be answered. */
export function menuOrQueued(turn: Turn): void {
  if (!startQueued(turn)) showMenu(turn);
}

/** The answers on the path the owner's answers lead through (stale branches left out). */
function answersOnPath(turn: Turn, spec: FlowSpec): Record<string, AnswerValue> {
  const answers: Record<string, AnswerValue> = {};
  const flow = turn.flow;
  if (!flow) return answers;
  for (const id of pathOf(spec, flow.answers, turn.ctx.owner)) {
    const v = flow.answers[id];
    if (v !== undefined) answers[id] = v;
  }
  return answers;
}

/** Whether the current flow has already filed its ticket (a step with `ticket.create` was answered). */
function hasFiled(turn: Turn): boolean {
  const spec = turn.spec();
  const flow = turn.flow;
  if (!spec || !flow) return false;
  return flow.history.some((id) => getStep(spec, id)?.effect === 'ticket.create');
}

/**
 * A question outside any flow whose answer would be lost if a flow took its place: which ticket a note
 * is for, whether to cancel, which language.
 */
function awaitingOwner(turn: Turn): boolean {
  const p = turn.state.prompt;
  return p === 'pick_ticket' || p === 'confirm_cancel' || p === 'lang';
}

function sameContext(a: FlowContext, b: FlowContext): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
