/**
 * The conversation engine: `step(state, event, ctx) → { state, output }`, with no I/O and no clock reads.
 *
 * It runs flows defined as data (`flows/*.yaml`), asks one question at a time, checks every answer
 * against the current step (button data and typed numbers are claims, never trusted), keeps every answer
 * given so far through bad input, /back and edits, and names the domain actions (effects) that the
 * application carries out. Output is ordered: messages and effects interleave as they happen, so that a
 * message the application writes for an effect (the ticket number) lands in the right place.
 */
import { staffCommandOf } from '../desk/vocabulary.js';
import { parseLocation, toHalfWidth } from '../location.js';
import { decodeOwnerButton, encodeOwnerButton } from '../protocol/buttons.js';
import {
  decodeSuggestedReport,
  decodeWaitingNote,
  encodeSuggestedReport,
  encodeWaitingNote,
} from '../protocol/prompt-data.js';
import type { Button, EstateLocation, Locale, OutboundMessage, UnsupportedKind } from '../types.js';
import type { EmergencyAssessment } from '../understand/emergency.js';
import { findLocation } from '../understand/location.js';
import { reportStart, suggestionContext, suggestionPreset, type Understanding } from '../understand/understanding.js';
import {
  asksForInformation,
  type Checked,
  checkName,
  checkPhone,
  checkRating,
  checkText,
  checkYesNo,
  cleanText,
  fold,
  formatPhone,
  HARD_TEXT_LIMIT,
  isQuestionFor,
  isSlashCommand,
  LOCATION_MAX,
  parseIndex,
  readPlace,
  readsAsQuestion,
} from './answers.js';
import type {
  Effect,
  EngineContext,
  EngineEvent,
  FlowContext,
  FrontDoorIntent,
  Output,
  StepOutcome,
  TicketSummary,
  Translate,
} from './contract.js';
import { holds, nextStepId, pathOf } from './paths.js';
import { type FlowRegistry, getStep } from './registry.js';
import type { FlowSpec, StepSpec } from './schema.js';
import { readScript } from './script.js';
import type { AnswerValue, ConversationState, FlowState, PhotoAnswer } from './state.js';
import { readState } from './state.js';
import { type Command, isGreeting, LANGUAGE_WORDS, LANGUAGES, optionByWords, parseCommand } from './words.js';

export type {
  Effect,
  EngineContext,
  EngineEvent,
  FlowContext,
  FlowEffect,
  Output,
  StepOutcome,
  TicketSummary,
} from './contract.js';
export { pathOf } from './paths.js';
export { parseCommand } from './words.js';

const FRONT_DOOR: readonly string[] = ['enquiry', 'notice', 'praise', 'human', 'followup'] satisfies FrontDoorIntent[];

/** The message an owner typed at the language question, waiting to be handled once they choose. */
export function keptAtLanguage(state: ConversationState): string | undefined {
  return state.prompt === 'lang' ? state.promptData?.[0] : undefined;
}

/**
 * Whether free text in this state could be read as a report (at the menu, outside any question, or at a
 * choice in a flow that understands free text), so the application asks the assistant before the step.
 */
export function mayUnderstand(state: ConversationState, text: string, registry: FlowRegistry): boolean {
  const clean = cleanText(text);
  // Outside a flow short texts count too: 谢谢, 转人工 have an intent of their own.
  if ([...clean].length < (state.flow ? 4 : 2) || parseIndex(clean) !== undefined || parseCommand(clean, registry))
    return false;
  if (!state.flow) return state.prompt === undefined || state.prompt === 'menu' || state.prompt === 'mytickets';
  if (state.prompt) return false;
  const spec = registry.flows.get(state.flow.flowId);
  const kind = spec ? getStep(spec, state.flow.stepId)?.answer.kind : undefined;
  return Boolean(spec?.understands) && (kind === 'choice' || kind === 'yesno');
}

/** A message waiting for the owner's answer to the emergency check, with where the conversation was. */
interface CheckedMessage {
  text: string;
  prompt?: ConversationState['prompt'];
  promptData?: string[];
  understanding?: Understanding;
  kind?: EmergencyAssessment['kind'];
}

/** Runs one event through the conversation. Never throws for anything an owner sends. */
export function step(state: ConversationState, event: EngineEvent, ctx: EngineContext): StepOutcome {
  // The saved state's envelope version is checked before anything reads it: migrated, or dropped politely.
  const read = readState(state);
  const run = new Run(read.state, ctx);
  if (read.status === 'dropped') run.stateDropped();
  const restarted = read.status === 'dropped' || run.migrate();
  // After a polite restart the owner has not seen the new question yet: what they sent answered the old one.
  if (!restarted || !answersAQuestion(event, ctx.registry)) run.handle(event);
  return { state: run.state, output: run.output, ...(run.ack !== undefined ? { ack: run.ack } : {}) };
}

interface Prompt {
  text: string;
  buttons: { label: string; value: string }[];
  columns: number;
}

class Run {
  readonly output: Output[] = [];
  ack?: string;
  private locale: Locale;

  constructor(
    readonly state: ConversationState,
    private readonly ctx: EngineContext,
  ) {
    this.locale = state.locale ?? ctx.locale;
  }

  // ── plumbing ────────────────────────────────────────────────────────────

  private t: Translate = (key, params) => this.ctx.translate(this.locale, key, { ...this.ctx.params, ...params });

  private send(message: OutboundMessage): void {
    this.output.push({ type: 'out', action: { kind: 'send', message } });
  }

  private say(key: string, params?: Record<string, string | number>): void {
    this.send({ text: this.t(key, params) });
  }

  private effect(effect: Effect): void {
    this.output.push({ type: 'effect', effect });
  }

  private get flow(): FlowState | undefined {
    return this.state.flow;
  }

  private spec(): FlowSpec | undefined {
    return this.flow ? this.ctx.registry.flows.get(this.flow.flowId) : undefined;
  }

  private currentStep(): StepSpec | undefined {
    const spec = this.spec();
    return spec && this.flow ? getStep(spec, this.flow.stepId) : undefined;
  }

  // ── entry points ────────────────────────────────────────────────────────

  /** A flow changed under a live conversation: carry the answers over, or restart it politely (then true). */
  migrate(): boolean {
    const flow = this.flow;
    if (!flow) return false;
    const spec = this.ctx.registry.flows.get(flow.flowId);
    if (!spec) {
      this.state.flow = undefined;
      this.say('flow.gone');
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
      this.say('flow.changed');
      this.goTo(spec.steps[0]?.id);
      return true;
    }
    return false;
  }

  handle(event: EngineEvent): void {
    switch (event.type) {
      case 'start':
        // A question about a ticket (a plan, a refusal, a visit time) does not wait behind the afterthoughts of a
        // flow that has already filed its ticket (an emergency's call-back number and "what is happening"): an
        // owner who left those unanswered would otherwise never see it. Those questions are simply dropped.
        if (event.queueIfBusy && this.flow && !this.awaitingOwner() && this.hasFiled()) this.state.flow = undefined;
        if (event.queueIfBusy && (this.flow || this.awaitingOwner())) {
          const running = this.flow?.flowId === event.flowId && sameContext(this.flow.context, event.context ?? {});
          if (
            !running &&
            !this.state.queue.some((q) => q.flowId === event.flowId && sameContext(q.context, event.context ?? {}))
          ) {
            this.state.queue.push({
              flowId: event.flowId,
              context: event.context ?? {},
              queuedAt: this.ctx.now.toISOString(),
            });
          }
          return;
        }
        this.startFlow(event.flowId, event.context ?? {}, event.preset ?? {});
        return;
      case 'text':
        return this.text(event.text);
      case 'button':
        return this.button(event.data);
      case 'photo':
        return this.photo({ ref: event.fileRef, ...(event.caption ? { caption: cleanText(event.caption) } : {}) });
      case 'unsupported':
        return this.unsupported(event.what);
    }
  }

  /** `checked`: the owner has said this message is not an emergency (it does what it would have done). */
  private text(raw: string, checked = false): void {
    const parsed = parseCommand(raw, this.ctx.registry);
    if (parsed && 'command' in parsed) return this.command(parsed.command);
    // The owner chose the emergency path themselves (/emergency, 紧急): no "is it happening now?" question.
    if (
      parsed &&
      'entry' in parsed &&
      this.menuEntryFlow(parsed.entry) === this.emergencyFlowId() &&
      this.mayRedirect()
    ) {
      return this.menuEntry(parsed.entry);
    }
    // The first message sets the language we answer in (the emergency text included); a mixed one is asked.
    const unsureOfLanguage = !checked && this.languageOfFirstMessage(raw);
    // An emergency takes the emergency path at once, before any length limit; an unclear one is asked.
    if (!checked && this.emergencyTakesOver(raw)) return;
    if ([...raw].length > HARD_TEXT_LIMIT) {
      return this.reprompt('input.too_long', { max: this.maxTextHere(), length: [...raw].length });
    }
    if (unsureOfLanguage) return this.askLanguage(raw);
    const prompt = this.currentPrompt();
    const folded = fold(raw);
    const byLabel =
      folded && prompt ? prompt.buttons.find((b) => fold(b.label) === folded || fold(b.value) === folded) : undefined;
    // An option the question offers wins over a menu alias of the same name (投诉 at the kind question).
    if (parsed && 'entry' in parsed && !byLabel) return this.menuEntry(parsed.entry);
    // A slash command this chat does not know (/accept T… typed by an owner) is never an answer.
    if (!parsed && isSlashCommand(raw)) {
      if (staffCommandOf(raw.trim().split(/\s/)[0])) return this.reprompt('input.staff_only');
      return this.reprompt('input.command_unavailable', { command: raw.trim().split(/\s/)[0] ?? '' });
    }

    if (!prompt) return this.freeText(raw);
    // On a numeric rating (buttons showing 1…10) a typed number is the rating itself; on a labelled scale
    // (很满意 … 很不满意, listed best first and numbered by position) it is the n-th item, as the list shows.
    const answer = this.state.prompt ? undefined : this.currentStep()?.answer;
    const rating = answer?.kind === 'rating' && !answer.labels;
    const index = rating ? undefined : parseIndex(raw);
    if (index !== undefined && prompt.buttons.length > 0) {
      const picked = prompt.buttons[index - 1];
      if (picked) return this.choose(picked.value, picked.label);
      if (this.expectsChoice()) return this.reprompt('input.number_out_of_range', { count: prompt.buttons.length });
    }
    if (byLabel) return this.choose(byLabel.value, byLabel.label);
    // A few words naming one option (水电, 我要报修), unless the report flow reads a longer message itself.
    const understood = this.usableUnderstanding() && this.spec()?.understands;
    const byWords = answer?.kind === 'choice' && !understood ? optionByWords(prompt.buttons, folded) : undefined;
    if (byWords) return this.choose(byWords.value, byWords.label);
    this.typed(raw);
  }

  private button(data: string): void {
    const claim = decodeOwnerButton(data);
    const prompt = this.currentPrompt();
    const picked = claim?.seq === this.state.seq ? prompt?.buttons.find((b) => b.value === claim.value) : undefined;
    if (!picked) {
      this.ack = this.t('input.stale');
      this.say('input.stale');
      return this.askAgain();
    }
    this.ack = '';
    this.choose(picked.value, picked.label);
  }

  private photo(photo: PhotoAnswer): void {
    const step = this.currentStep();
    const spec = this.spec();
    const flow = this.flow;
    if (!step || !spec || !flow || this.state.prompt) {
      const open = this.openTickets();
      if (open.length > 0 && this.state.prompt !== 'lang' && this.state.prompt !== 'confirm_cancel') {
        return this.routeNote({ photo }, open);
      }
      // A photo as the first word ("this is my problem"): kept, and a report starts around it.
      if (
        !flow &&
        (this.state.prompt === undefined || this.state.prompt === 'menu' || this.state.prompt === 'mytickets')
      ) {
        const report = this.understandingFlow();
        const photoStep = report?.steps.find((s) => s.answer.kind === 'photos');
        if (report && photoStep) {
          if (this.state.seq === 0) this.say('welcome');
          this.say('photos.kept');
          this.startFlow(report.id, {}, {});
          const started = this.state.flow as FlowState | undefined; // set by startFlow
          if (started) started.answers[photoStep.id] = [photo];
          return;
        }
      }
      return this.unsupported('other');
    }
    if (step.answer.kind === 'photos') {
      const list = (flow.answers[step.id] as PhotoAnswer[] | undefined) ?? [];
      if (list.length >= step.answer.max) return this.reprompt('photos.too_many', { max: step.answer.max });
      flow.answers[step.id] = [...list, photo];
      return this.ask(step, { lead: this.t('photos.received', { count: list.length + 1 }) });
    }
    // A photo sent early is kept for the flow's photo step, never dropped.
    const photoStep = spec.steps.find((s) => s.answer.kind === 'photos');
    if (photoStep) {
      const list = (flow.answers[photoStep.id] as PhotoAnswer[] | undefined) ?? [];
      const max = photoStep.answer.kind === 'photos' ? photoStep.answer.max : 0;
      if (list.length >= max) return this.reprompt('photos.too_many', { max });
      flow.answers[photoStep.id] = [...list, photo];
      if (photo.caption && (step.answer.kind === 'text' || step.answer.kind === 'location')) {
        return this.typed(photo.caption, this.t('photos.kept'));
      }
      return this.ask(step, { lead: this.t('photos.kept') });
    }
    this.unsupported('other');
  }

  private unsupported(what: UnsupportedKind): void {
    const lead = this.t('input.unsupported', { what: this.t(`input.kind.${what}`) });
    if (!this.currentPrompt()) {
      this.send({ text: lead });
      return this.showMenu();
    }
    this.askAgain(lead);
  }

  // ── commands and the menu ───────────────────────────────────────────────

  private command(command: Command): void {
    switch (command) {
      case 'menu':
        // First contact on Telegram is always /start: greet then too.
        if (this.state.seq === 0) this.say('welcome');
        return this.showMenu();
      case 'help':
        this.say('help.text');
        return this.askAgainOrMenu();
      case 'lang':
        return this.showLanguages();
      case 'mytickets':
        return this.myTickets();
      case 'cancel':
        return this.cancel();
      case 'back':
        return this.back();
    }
  }

  /** A saved state that could not be read (another version, no migration): the owner is told and shown the menu. */
  stateDropped(): void {
    this.showMenu(this.t('flow.state_dropped'));
  }

  private showMenu(lead?: string): void {
    this.state.prompt = 'menu';
    this.state.seq += 1;
    const text = [lead, this.t(this.flow ? 'menu.title_resume' : 'menu.title')].filter(Boolean).join('\n\n');
    this.emitPrompt({ ...this.menuPrompt(), text });
  }

  private menuPrompt(): Prompt {
    const buttons = this.ctx.registry.menu.entries.map((e) => ({ label: this.t(e.label), value: `m.${e.id}` }));
    if (this.flow) buttons.unshift({ label: this.t('menu.resume'), value: 'resume' });
    return { text: this.t('menu.title'), buttons, columns: 2 };
  }

  /** The language list; `keep` keeps a message the owner typed at it (handled once a language is chosen). */
  private showLanguages(keep = false): void {
    if (!keep) this.state.promptData = undefined;
    this.state.prompt = 'lang';
    this.state.seq += 1;
    this.emitPrompt(this.langPrompt());
  }

  private langPrompt(): Prompt {
    return {
      text: this.t('lang.choose'),
      buttons: LANGUAGES.map((l) => ({ label: l.label, value: `l.${l.locale}` })),
      columns: 2,
    };
  }

  /** The flow a menu entry starts, if it starts one. */
  private menuEntryFlow(id: string): string | undefined {
    return this.ctx.registry.menu.entries.find((e) => e.id === id)?.flow;
  }

  private menuEntry(id: string): void {
    const entry = this.ctx.registry.menu.entries.find((e) => e.id === id);
    if (!entry) return this.showMenu();
    this.state.prompt = undefined;
    if (entry.command === 'mytickets') return this.myTickets();
    if (entry.command === 'lang') return this.showLanguages();
    if (entry.command === 'help') {
      this.say('help.text');
      return this.askAgainOrMenu();
    }
    if (entry.flow) {
      if (this.flow) this.abandon();
      this.startFlow(entry.flow, {}, entry.preset);
    }
  }

  private cancel(): void {
    this.state.prompt = undefined;
    if (!this.flow) {
      this.say('flow.nothing_to_cancel');
      return this.showMenu();
    }
    const key = this.spec()?.cancelled ?? 'flow.cancelled';
    this.abandon();
    this.say(key);
    if (!this.startQueued()) this.showMenu();
  }

  private abandon(): void {
    const flow = this.flow;
    if (!flow) return;
    this.effect({ type: 'flow.cancelled', flowId: flow.flowId, answers: flow.answers, context: flow.context });
    this.state.flow = undefined;
  }

  private back(): void {
    const flow = this.flow;
    const step = this.currentStep();
    if (!flow || !step) return this.showMenu();
    if (this.state.prompt) {
      this.state.prompt = undefined;
      return this.ask(step);
    }
    if (flow.stage) {
      flow.stage = undefined;
      return this.ask(step);
    }
    const previous = flow.history.pop();
    const spec = this.spec();
    const target = previous && spec ? getStep(spec, previous) : undefined;
    if (!target) return this.askAgain(this.t('flow.at_first'));
    flow.stepId = target.id;
    flow.editing = false;
    this.ask(target);
  }

  // ── flows ───────────────────────────────────────────────────────────────

  private startFlow(flowId: string, context: FlowContext, preset: Record<string, AnswerValue>): void {
    const spec = this.ctx.registry.flows.get(flowId);
    if (!spec) return this.showMenu(this.t('flow.gone'));
    this.state.prompt = undefined;
    const answers: Record<string, AnswerValue> = { ...preset };
    for (const s of spec.steps) {
      const value = s.prefill ? this.ctx.owner[s.prefill] : undefined;
      if (value && answers[s.id] === undefined) answers[s.id] = value;
    }
    this.state.flow = {
      flowId,
      flowVersion: spec.version,
      stepId: spec.steps[0]?.id ?? '',
      answers,
      history: [],
      preset: Object.keys(answers),
      context,
      startedAt: this.ctx.now.toISOString(),
    };
    if (spec.intro) this.say(spec.intro, stringParams(context));
    this.goTo(spec.steps[0]?.id);
  }

  /** Asks the first step from `id` on that applies and is not already answered by a preset or an edit. */
  private goTo(id: string | undefined): void {
    const spec = this.spec();
    const flow = this.flow;
    if (!spec || !flow) return;
    const seen = new Set<string>();
    let next = id;
    while (next && !seen.has(next)) {
      seen.add(next);
      const s = getStep(spec, next);
      if (!s) break;
      const skip =
        (s.if && !holds(s.if, flow.answers, this.ctx.owner)) ||
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
        return this.ask(s);
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
        this.runEffect(spec, s);
      }
      next = s.end ? undefined : nextStepId(spec, s, flow.answers, this.ctx.owner);
    }
    this.finish();
  }

  private finish(): void {
    const spec = this.spec();
    const flow = this.flow;
    if (spec?.done && flow) {
      this.effect({
        type: spec.done,
        flowId: spec.id,
        stepId: flow.stepId,
        answers: this.answersOnPath(spec),
        set: spec.set,
        context: flow.context,
      });
    }
    this.state.flow = undefined;
    if (this.startQueued()) return;
    if (spec?.after !== 'none') this.showMenu(this.t('menu.anything_else'));
  }

  /**
   * A question outside any flow whose answer would be lost if a flow took its place: which ticket a note
   * is for, whether to cancel, which language.
   */
  /** Whether the current flow has already filed its ticket (a step with `ticket.create` was answered). */
  private hasFiled(): boolean {
    const spec = this.spec();
    const flow = this.flow;
    if (!spec || !flow) return false;
    return flow.history.some((id) => getStep(spec, id)?.effect === 'ticket.create');
  }

  private awaitingOwner(): boolean {
    const p = this.state.prompt;
    return p === 'pick_ticket' || p === 'confirm_cancel' || p === 'lang';
  }

  private startQueued(): boolean {
    const queued = this.state.queue.shift();
    if (!queued) return false;
    // A report an emergency interrupted comes back with its answers, and the owner is told so.
    if (queued.answers) this.say('emergency.report_back');
    this.startFlow(queued.flowId, queued.context, queued.answers ?? {});
    return true;
  }

  private accept(step: StepSpec, value: AnswerValue | undefined, shown: string): void {
    const flow = this.flow;
    const spec = this.spec();
    if (!flow || !spec) return;
    this.closePrompt(step, shown);
    if (value === undefined) delete flow.answers[step.id];
    else flow.answers[step.id] = value;
    flow.preset = flow.preset?.filter((id) => id !== step.id);
    flow.picked = undefined;
    flow.pending = undefined;
    if (flow.history.at(-1) !== step.id) flow.history.push(step.id);
    flow.stage = undefined;
    if (step.effect && step.answer.kind !== 'confirm') this.runEffect(spec, step);
    if (flow.editing) {
      const confirm = spec.steps.find((s) => s.answer.kind === 'confirm');
      if (confirm) return this.goTo(nextStepId(spec, step, flow.answers, this.ctx.owner) ?? confirm.id);
    }
    if (step.end) return this.finish();
    this.goTo(nextStepId(spec, step, flow.answers, this.ctx.owner));
  }

  private runEffect(spec: FlowSpec, step: StepSpec): void {
    const flow = this.flow;
    if (!flow || !step.effect) return;
    this.effect({
      type: step.effect,
      flowId: spec.id,
      stepId: step.id,
      answers: this.answersOnPath(spec),
      set: spec.set,
      context: flow.context,
    });
  }

  /** The answers on the path the owner's answers lead through (stale branches left out). */
  private answersOnPath(spec: FlowSpec): Record<string, AnswerValue> {
    const answers: Record<string, AnswerValue> = {};
    const flow = this.flow;
    if (!flow) return answers;
    for (const id of pathOf(spec, flow.answers, this.ctx.owner)) {
      const v = flow.answers[id];
      if (v !== undefined) answers[id] = v;
    }
    return answers;
  }

  // ── prompts ─────────────────────────────────────────────────────────────

  /** The question now waiting for an answer, rendered as it was (or would be) sent. */
  private currentPrompt(): Prompt | undefined {
    if (this.state.prompt === 'menu') return this.menuPrompt();
    if (this.state.prompt === 'lang') return this.langPrompt();
    if (this.state.prompt === 'pick_ticket') return this.pickTicketPrompt();
    if (this.state.prompt === 'mytickets') return this.myTicketsPrompt();
    if (this.state.prompt === 'confirm_cancel') return this.confirmCancelPrompt();
    if (this.state.prompt === 'emergency_check') return this.emergencyCheckPrompt();
    const step = this.currentStep();
    return step ? this.stepPrompt(step) : undefined;
  }

  private expectsChoice(): boolean {
    if (this.state.prompt) return true;
    const kind = this.currentStep()?.answer.kind;
    return kind === 'choice' || kind === 'yesno' || kind === 'confirm' || kind === 'rating' || kind === 'multi';
  }

  private maxTextHere(): number {
    const a = this.currentStep()?.answer;
    if (a?.kind === 'location') return LOCATION_MAX;
    return a?.kind === 'text' ? a.max : HARD_TEXT_LIMIT;
  }

  private ask(step: StepSpec, opts: { lead?: string } = {}): void {
    const flow = this.flow;
    if (!flow) return;
    this.state.prompt = undefined;
    this.state.seq += 1;
    const parts: string[] = [];
    if (opts.lead) parts.push(opts.lead);
    if (step.intro && !flow.history.includes(step.id) && !opts.lead) parts.push(this.t(step.intro));
    if (step.personal && !this.ctx.owner.privacyNoticeShown && !flow.privacyShown) {
      flow.privacyShown = true;
      this.say('privacy.notice');
      this.effect({ type: 'owner.update', patch: { privacyNoticeShown: true } });
    }
    const prompt = this.stepPrompt(step);
    parts.push(prompt.text);
    this.emitPrompt({ ...prompt, text: parts.join('\n\n') });
  }

  private askAgain(lead?: string): void {
    if (this.state.prompt === 'menu') return this.showMenu(lead);
    if (
      this.state.prompt === 'pick_ticket' ||
      this.state.prompt === 'mytickets' ||
      this.state.prompt === 'confirm_cancel' ||
      this.state.prompt === 'emergency_check'
    ) {
      const prompt = this.currentPrompt();
      if (prompt) {
        this.state.seq += 1;
        return this.emitPrompt({ ...prompt, text: [lead, prompt.text].filter(Boolean).join('\n\n') });
      }
    }
    if (this.state.prompt === 'lang') {
      if (lead) this.send({ text: lead });
      return this.showLanguages(true);
    }
    const step = this.currentStep();
    if (step) return this.ask(step, lead ? { lead } : {});
    this.showMenu(lead);
  }

  private askAgainOrMenu(): void {
    if (this.flow || this.state.prompt) this.askAgain();
    else this.menuOrQueued();
  }

  /** Back to the menu, unless a flow was waiting for the owner's question to be answered. */
  private menuOrQueued(): void {
    if (!this.startQueued()) this.showMenu();
  }

  private reprompt(error: string, params?: Record<string, string | number>): void {
    this.askAgain(this.t(error, params));
  }

  private emitPrompt(prompt: Prompt): void {
    const buttons = prompt.buttons.map((b) => ({
      label: b.label,
      data: encodeOwnerButton({ seq: this.state.seq, value: b.value }),
    }));
    const message: OutboundMessage = { text: prompt.text, ref: `prompt:${this.state.seq}` };
    if (buttons.length > 0) message.buttons = rows(buttons, prompt.columns);
    this.send(message);
  }

  /** Takes the buttons off an answered question and shows the answer under it (where the platform edits). */
  private closePrompt(step: StepSpec, shown: string): void {
    const prompt = this.stepPrompt(step);
    if (prompt.buttons.length === 0) return;
    this.output.push({
      type: 'out',
      action: { kind: 'edit', ref: `prompt:${this.state.seq}`, message: { text: `${prompt.text}\n\n✓ ${shown}` } },
    });
  }

  /**
   * Takes the buttons off an answered built-in question (the menu, the language list, which ticket, my
   * tickets, cancel?) and shows the answer under it, as closePrompt does for a flow's questions, so that
   * an old menu cannot be tapped again.
   */
  private closeBuiltInPrompt(label: string): void {
    const prompt = this.state.prompt ? this.currentPrompt() : undefined;
    if (!prompt || prompt.buttons.length === 0) return;
    const text = this.state.prompt === 'menu' ? this.t(this.flow ? 'menu.title_resume' : 'menu.title') : prompt.text;
    this.output.push({
      type: 'out',
      action: { kind: 'edit', ref: `prompt:${this.state.seq}`, message: { text: `${text}\n\n✓ ${label}` } },
    });
  }

  private stepPrompt(step: StepSpec): Prompt {
    const flow = this.flow;
    const spec = this.spec();
    const params = stringParams(flow?.context ?? {});
    const question = this.t(step.ask, params);
    const skip = step.optional ? [{ label: this.t('common.skip'), value: 'skip' }] : [];
    const a = step.answer;
    switch (a.kind) {
      case 'choice': {
        // A shortlist in the flow's context (the likeliest categories + 其他), unless the owner is editing.
        const only = flow && !flow.editing ? flow.context[`only.${step.id}`] : undefined;
        const listed = typeof only === 'string' ? only.split(',') : undefined;
        const options = listed ? a.options.filter((o) => listed.includes(o)) : a.options;
        return {
          text: question,
          buttons: [...options.map((o) => ({ label: this.t(`${a.labels}.${o}`), value: `o.${o}` })), ...skip],
          columns: a.columns,
        };
      }
      case 'yesno':
        return {
          text: question,
          buttons: [{ label: this.t('common.yes'), value: 'y' }, { label: this.t('common.no'), value: 'n' }, ...skip],
          columns: 2,
        };
      case 'multi': {
        const picked = flow?.picked ?? [];
        return {
          text: question,
          buttons: [
            ...a.options.map((o) => ({
              label: `${picked.includes(o) ? '✓ ' : ''}${this.t(`${a.labels}.${o}`)}`,
              value: `o.${o}`,
            })),
            { label: this.t('common.done_count', { count: picked.length }), value: 'done' },
            ...skip,
          ],
          columns: a.columns,
        };
      }
      case 'rating': {
        const buttons: { label: string; value: string }[] = [];
        for (let n = a.max; n >= a.min; n--) {
          buttons.push({ label: a.labels ? `${this.t(`${a.labels}.${n}`)}` : String(n), value: `r.${n}` });
        }
        if (!a.labels) buttons.reverse();
        return { text: question, buttons: [...buttons, ...skip], columns: a.labels ? 1 : 5 };
      }
      case 'photos': {
        const count = ((flow?.answers[step.id] as PhotoAnswer[] | undefined) ?? []).length;
        return {
          text: question,
          buttons: [{ label: this.t(count > 0 ? 'photos.done' : 'photos.none'), value: 'done' }],
          columns: 1,
        };
      }
      case 'location': {
        if (flow?.stage === 'public') return { text: this.t('location.public_ask'), buttons: skip, columns: 1 };
        if (flow?.stage === 'confirm_place' && flow.pending !== undefined) {
          return {
            text: this.t('location.confirm_place', { place: this.showLocation(flow.pending as EstateLocation) }),
            buttons: [
              { label: this.t('common.yes'), value: 'place_ok' },
              { label: this.t('location.retype'), value: 'place_retype' },
            ],
            columns: 2,
          };
        }
        const units = this.ctx.owner.units
          .slice(0, 3)
          .map((u, i) => ({ label: this.t('location.my_unit', { unit: u }), value: `u.${i}` }));
        return {
          text: question,
          buttons: [...units, { label: this.t('location.public'), value: 'pub' }, ...skip],
          columns: 1,
        };
      }
      case 'confirm': {
        const fields =
          spec && flow ? a.fields.filter((f) => pathOf(spec, flow.answers, this.ctx.owner).includes(f)) : [];
        if (flow?.stage === 'pick_field') {
          return {
            text: this.t('confirm.pick_field'),
            buttons: [
              ...fields.map((f) => ({ label: this.fieldLabel(f), value: `f.${f}` })),
              { label: this.t('confirm.back_to_readback'), value: 'rb' },
            ],
            columns: 2,
          };
        }
        const lines = fields.map((f) => `${this.fieldLabel(f)}：${this.display(f)}`);
        return {
          text: [question, '', ...lines, '', this.t('confirm.question')].join('\n'),
          buttons: [
            { label: this.t('confirm.ok'), value: 'ok' },
            { label: this.t('confirm.edit'), value: 'edit' },
            { label: this.t('confirm.cancel'), value: 'cancel' },
          ],
          columns: 3,
        };
      }
      case 'text':
      case 'phone': {
        const saved = step.prefill ? this.ctx.owner[step.prefill] : undefined;
        const current = flow?.answers[step.id];
        const offer = typeof current === 'string' ? current : saved;
        const use = offer
          ? [
              {
                label: this.t('common.use', { value: step.answer.kind === 'phone' ? formatPhone(offer) : offer }),
                value: 'keep',
              },
            ]
          : [];
        return { text: question, buttons: [...use, ...skip], columns: 1 };
      }
    }
  }

  private fieldLabel(stepId: string): string {
    const spec = this.spec();
    const s = spec ? getStep(spec, stepId) : undefined;
    return this.t(s?.label ?? `${spec?.id}.field.${stepId}`);
  }

  /** How an answer is read back to the owner. */
  private display(stepId: string): string {
    const spec = this.spec();
    const s = spec ? getStep(spec, stepId) : undefined;
    const value = this.flow?.answers[stepId];
    if (!s || value === undefined) return this.t('common.none');
    return this.show(s, value);
  }

  private show(s: StepSpec, value: AnswerValue): string {
    const a = s.answer;
    if (a.kind === 'choice') return this.t(`${a.labels}.${String(value)}`);
    if (a.kind === 'multi') return (value as string[]).map((o) => this.t(`${a.labels}.${o}`)).join('、');
    if (a.kind === 'yesno') return this.t(value ? 'common.yes' : 'common.no');
    if (a.kind === 'rating') return a.labels ? `${this.t(`${a.labels}.${String(value)}`)}` : String(value);
    if (a.kind === 'photos') return this.t('photos.count', { count: (value as PhotoAnswer[]).length });
    if (a.kind === 'phone') return formatPhone(String(value));
    if (a.kind === 'location') return this.showLocation(value as EstateLocation);
    const text = String(value);
    return [...text].length > 300 ? `${[...text].slice(0, 300).join('')}…` : text;
  }

  private showLocation(loc: EstateLocation): string {
    if (loc.kind === 'public') return this.t('location.public_shown', { description: loc.description });
    return loc.unit
      ? this.t('location.unit_shown', { building: loc.building, unit: loc.unit, room: loc.room })
      : this.t('location.room_shown', { building: loc.building, room: loc.room });
  }

  // ── the owner's tickets ─────────────────────────────────────────────────

  private openTickets(): TicketSummary[] {
    return (this.ctx.tickets ?? []).filter((t) => t.open);
  }

  private ticketLine(ticket: TicketSummary): string {
    return this.t('mytickets.line_next', {
      number: ticket.number,
      category: this.t(`ticket.category.${ticket.category}`),
      next: this.t(`mytickets.next.${ticket.status}`, { name: ticket.assignee ?? '' }),
    });
  }

  /** The owner's tickets with their next step; tickets nobody has taken on yet can be cancelled. */
  private myTickets(): void {
    if (this.flow && !this.state.prompt) {
      this.send({ text: this.myTicketsPrompt().text });
      return this.askAgain();
    }
    this.state.prompt = 'mytickets';
    this.state.seq += 1;
    this.emitPrompt(this.myTicketsPrompt());
  }

  private myTicketsPrompt(): Prompt {
    const tickets = this.ctx.tickets ?? [];
    const text =
      tickets.length === 0
        ? this.t('mytickets.none')
        : [this.t('mytickets.header', { count: tickets.length }), ...tickets.map((t) => this.ticketLine(t))].join('\n');
    const buttons = tickets
      .filter((t) => t.cancellable)
      .map((t) => ({ label: this.t('mytickets.cancel_button', { number: t.number }), value: `x.${t.id}` }));
    return { text, buttons: [...buttons, { label: this.t('menu.back_to_menu'), value: 'menu' }], columns: 1 };
  }

  private confirmCancelPrompt(): Prompt {
    const ticket = (this.ctx.tickets ?? []).find((t) => t.id === this.state.promptData?.[0]);
    return {
      text: this.t('owner.cancel_confirm', { number: ticket?.number ?? '' }),
      buttons: [
        { label: this.t('common.yes'), value: 'y' },
        { label: this.t('common.no'), value: 'n' },
      ],
      columns: 2,
    };
  }

  private pickTicketPrompt(): Prompt {
    const fresh = this.state.promptData?.[1] ? [{ label: this.t('owner.new_problem'), value: 'new' }] : [];
    return {
      text: this.t('owner.note_pick'),
      buttons: [...this.openTickets().map((t) => ({ label: this.ticketLine(t), value: `t.${t.id}` })), ...fresh],
      columns: 1,
    };
  }

  /** Text typed outside any question: added to the owner's open ticket, or the menu when there is none. */
  private freeText(raw: string): void {
    const open = this.openTickets();
    const text = cleanText(raw);
    // 你好 / 在吗 / hello: a greeting is answered with the welcome and the menu, never filed as a note.
    if (isGreeting(text)) {
      this.say('welcome');
      return this.showMenu();
    }
    if (text && this.frontDoor(text)) return;
    const u = this.usableUnderstanding();
    if (open.length > 0 && text) {
      if ([...text].length > 2000) return this.reprompt('input.too_long', { max: 2000, length: [...text].length });
      // Text that reads as a new problem: ask whether it is about an open ticket or something new.
      if (u && (u.askCategory || (u.category !== 'other' && u.confidence >= 0.5))) {
        return this.pickTicket({ text }, encodeSuggestedReport(reportStart(u, text)));
      }
      return this.routeNote({ text }, open);
    }
    if (u && text && (u.category !== 'other' || u.location || u.askCategory)) {
      const start = reportStart(u, text);
      return this.startSuggested(start.preset, start.context);
    }
    this.say(this.state.seq === 0 ? 'welcome' : 'input.not_understood');
    this.showMenu();
  }

  /**
   * Intent first: thanks is thanked and nothing starts; a greeting gets the welcome and the menu; a
   * follow-up with no open ticket is told so; an enquiry, a notice question, praise, 转人工 and a follow-up
   * go to the application (effect `owner.intent`). Never a report form, never a note on a ticket.
   */
  private frontDoor(text: string): boolean {
    const intent = this.ctx.understanding?.intent;
    if (intent === 'thanks') {
      this.say('frontdoor.thanks');
      return true;
    }
    if (intent === 'greeting') {
      this.say('welcome');
      this.showMenu();
      return true;
    }
    if (intent === 'followup' && this.openTickets().length === 0) {
      this.showMenu(this.t('frontdoor.followup_none'));
      return true;
    }
    // A follow-up about the one open ticket (师傅大概几点能到？) is also put under that ticket, so the accountable
    // person sees the question; the owner gets the ticket's progress as well.
    const open = this.openTickets();
    const only = open.length === 1 ? open[0] : undefined;
    if (intent === 'followup' && only) this.addNote(only, { text: [...cleanText(text)].slice(0, 1000).join('') });
    if (!intent || !FRONT_DOOR.includes(intent)) return false;
    this.effect({ type: 'owner.intent', intent: intent as FrontDoorIntent, text: [...text].slice(0, 1000).join('') });
    return true;
  }

  /** The understanding of this message, when a flow that understands free text exists. */
  private usableUnderstanding(): Understanding | undefined {
    const u = this.ctx.understanding;
    return u && !u.emergency && this.understandingFlow() ? u : undefined;
  }

  private understandingFlow(): FlowSpec | undefined {
    return [...this.ctx.registry.flows.values()].find((f) => f.understands);
  }

  private emergencyFlowId(): string {
    return this.ctx.registry.menu.entries.find((e) => e.id === 'emergency')?.flow ?? 'emergency';
  }

  /**
   * Whether an emergency may take over: anywhere (a report, a plan, a revisit, a survey …) but in the
   * emergency flow itself and at the two questions whose answer is not free text (language, cancel?).
   */
  private mayRedirect(): boolean {
    if (this.state.prompt === 'lang' || this.state.prompt === 'confirm_cancel') return false;
    return this.flow?.flowId !== this.emergencyFlowId();
  }

  /**
   * The emergency check, run on every text in every state before anything else: `present` takes the
   * emergency path at once; `unclear` asks the owner (yes / no), except inside a revisit or a survey,
   * where only a present emergency interrupts and anything else is just an answer. True when it took over.
   */
  private emergencyTakesOver(raw: string): boolean {
    const verdict = this.ctx.emergency?.verdict ?? (this.ctx.understanding?.emergency ? 'present' : 'none');
    if (verdict === 'none' || !this.mayRedirect()) return false;
    if (verdict === 'present') {
      // Typed while the check waits: both messages are the emergency's words.
      const waiting = this.state.prompt === 'emergency_check' ? this.checkedMessage() : undefined;
      this.emergencyFrom(waiting ? `${waiting.text}\n${raw}` : raw, this.ctx.emergency?.kind);
      return true;
    }
    if (this.state.prompt === 'emergency_check' || this.answersOnly()) return false;
    this.askEmergencyCheck(raw);
    return true;
  }

  /** A revisit or a survey: what the owner writes there is an answer unless it is plainly an emergency. */
  private answersOnly(): boolean {
    const spec = this.spec();
    if (!spec) return false;
    const effects = [spec.done, ...spec.steps.map((s) => s.effect)];
    return effects.includes('revisit.record') || effects.includes('survey.answer');
  }

  /** Shows the emergency numbers and asks one question: is it happening now? The message waits for the answer. */
  private askEmergencyCheck(raw: string): void {
    const waiting: CheckedMessage = {
      text: raw,
      ...(this.state.prompt ? { prompt: this.state.prompt } : {}),
      ...(this.state.promptData ? { promptData: this.state.promptData } : {}),
      ...(this.ctx.understanding ? { understanding: this.ctx.understanding } : {}),
      ...(this.ctx.emergency?.kind ? { kind: this.ctx.emergency.kind } : {}),
    };
    this.state.prompt = 'emergency_check';
    this.state.promptData = [JSON.stringify(waiting)];
    this.state.seq += 1;
    this.emitPrompt(this.emergencyCheckPrompt());
  }

  private emergencyCheckPrompt(): Prompt {
    return {
      text: this.t('emergency.check.ask'),
      buttons: [
        { label: this.t('emergency.check.yes'), value: 'y' },
        { label: this.t('emergency.check.no'), value: 'n' },
      ],
      columns: 2,
    };
  }

  private checkedMessage(): CheckedMessage | undefined {
    const raw = this.state.promptData?.[0];
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as CheckedMessage;
    } catch {
      return undefined;
    }
  }

  /**
   * The owner answered the emergency check: yes starts the emergency path with their words; no puts the
   * conversation back where it was and the message does what it would have done (a report, a form answer …).
   */
  private emergencyChecked(yes: boolean): void {
    const waiting = this.checkedMessage();
    this.state.prompt = undefined;
    this.state.promptData = undefined;
    if (!waiting) return this.askAgainOrMenu();
    if (yes) return this.emergencyFrom(waiting.text, waiting.kind);
    if (waiting.prompt) this.state.prompt = waiting.prompt;
    if (waiting.promptData) this.state.promptData = waiting.promptData;
    if (waiting.understanding) this.ctx.understanding = waiting.understanding;
    else delete this.ctx.understanding;
    delete this.ctx.emergency;
    this.text(waiting.text, true);
  }

  /**
   * Starts the emergency flow with the owner's words kept as the description, the place reused when the
   * message names one and what is happening pre-selected when the rules know it. A report in progress
   * waits with its answers and is offered back once the emergency is filed; any other flow (a plan, a
   * revisit, a survey) is asked again then.
   */
  private emergencyFrom(raw: string, kind?: EmergencyAssessment['kind']): void {
    const flow = this.flow;
    if (flow && this.spec()?.understands && Object.keys(flow.answers).length === 0) this.abandon();
    else if (flow) {
      const report = this.spec()?.understands === true;
      this.state.queue.unshift({
        flowId: flow.flowId,
        context: flow.context,
        ...(report ? { answers: flow.answers } : {}),
        queuedAt: this.ctx.now.toISOString(),
      });
      this.state.flow = undefined;
    }
    this.state.prompt = undefined;
    this.state.promptData = undefined;
    const text = [...cleanText(raw)].slice(0, 1000).join('');
    const location = findLocation(text);
    const preset: Record<string, AnswerValue> = {
      ...(location ? { location } : {}),
      ...(kind && kind !== 'other' ? { what: kind } : {}),
    };
    // The category the understanding read (a lift for 电梯困人了), unless it read none.
    const category = this.ctx.understanding?.category;
    const context = { description: text, ...(category && category !== 'other' ? { category } : {}) };
    this.startFlow(this.emergencyFlowId(), context, preset);
  }

  /** Starts the report flow with the assistant's suggestions as answers: straight to the read-back. */
  private startSuggested(preset: Record<string, AnswerValue>, context: FlowContext): void {
    const spec = this.understandingFlow();
    if (!spec) return this.showMenu();
    if (this.flow) this.abandon();
    const photoSteps = spec.steps.filter((s) => s.answer.kind === 'photos').map((s) => s.id);
    const photos = Object.fromEntries(photoSteps.map((id) => [id, [] as PhotoAnswer[]]));
    this.startFlow(spec.id, context, { ...photos, ...preset });
  }

  /** Inside the report flow: the suggestions fill what is not answered yet, then on to the read-back. */
  private applySuggestions(u: Understanding, raw: string): void {
    const flow = this.flow;
    const spec = this.spec();
    const step = this.currentStep();
    if (!flow || !spec || !step) return;
    const preset = suggestionPreset(u, cleanText(raw));
    for (const s of spec.steps) {
      if (s.answer.kind === 'photos' && flow.answers[s.id] === undefined) preset[s.id] = [];
    }
    for (const [id, value] of Object.entries(preset)) {
      if (flow.answers[id] === undefined || id === step.id) {
        flow.answers[id] = value;
        flow.preset = [...new Set([...(flow.preset ?? []), id])];
      }
    }
    Object.assign(flow.context, suggestionContext(u));
    this.goTo(step.id);
  }

  private routeNote(note: { text: string } | { photo: PhotoAnswer }, open: TicketSummary[]): void {
    const only = open.length === 1 ? open[0] : undefined;
    if (only) return this.addNote(only, note);
    this.pickTicket(note);
  }

  /** Asks which open ticket a message is about (and, with a suggestion, offers "a new problem"). */
  private pickTicket(note: { text: string } | { photo: PhotoAnswer }, suggestion?: string): void {
    this.state.prompt = 'pick_ticket';
    this.state.promptData = suggestion ? [encodeWaitingNote(note), suggestion] : [encodeWaitingNote(note)];
    this.state.seq += 1;
    this.emitPrompt(this.pickTicketPrompt());
  }

  private addNote(ticket: TicketSummary, note: { text: string } | { photo: PhotoAnswer }): void {
    this.state.prompt = undefined;
    this.effect({ type: 'ticket.note', ticketId: ticket.id, note });
    this.say('owner.note_added', { number: ticket.number });
  }

  // ── answers ─────────────────────────────────────────────────────────────

  /** A button (or a typed number or label naming one) for the current prompt. */
  private choose(value: string, label: string): void {
    this.closeBuiltInPrompt(label);
    if (this.state.prompt === 'emergency_check') return this.emergencyChecked(value === 'y');
    if (this.state.prompt === 'pick_ticket') {
      const note = decodeWaitingNote(this.state.promptData?.[0]);
      const suggestion = decodeSuggestedReport(this.state.promptData?.[1]);
      this.state.prompt = undefined;
      this.state.promptData = undefined;
      if (value === 'new' && suggestion) {
        return this.startSuggested(suggestion.preset, suggestion.context);
      }
      const ticket = this.openTickets().find((t) => `t.${t.id}` === value);
      if (!ticket || !note) return this.menuOrQueued();
      this.addNote(ticket, note);
      this.startQueued();
      return;
    }
    if (this.state.prompt === 'mytickets') {
      this.state.prompt = undefined;
      if (value === 'menu') return this.showMenu();
      this.state.prompt = 'confirm_cancel';
      this.state.promptData = [value.slice(2)];
      this.state.seq += 1;
      return this.emitPrompt(this.confirmCancelPrompt());
    }
    if (this.state.prompt === 'confirm_cancel') {
      const id = this.state.promptData?.[0];
      this.state.prompt = undefined;
      this.state.promptData = undefined;
      if (value === 'y' && id) {
        this.effect({ type: 'ticket.cancel', ticketId: id });
        this.startQueued();
        return;
      }
      return this.menuOrQueued();
    }
    if (this.state.prompt === 'menu') {
      this.state.prompt = undefined;
      if (value === 'resume') return this.askAgain();
      return this.menuEntry(value.slice(2));
    }
    if (this.state.prompt === 'lang') {
      const kept = this.state.promptData?.[0];
      this.state.prompt = undefined;
      this.state.promptData = undefined;
      const locale = value.slice(2) as Locale;
      this.locale = locale;
      this.state.locale = locale;
      this.effect({ type: 'owner.update', patch: { locale } });
      this.say('lang.set');
      // What the owner wrote at the language question is handled now, in the language chosen.
      if (kept) return this.text(kept);
      return this.askAgainOrMenu();
    }
    const step = this.currentStep();
    const flow = this.flow;
    if (!step || !flow) return this.showMenu();
    const a = step.answer;
    if (value === 'skip' && step.optional) return this.accept(step, undefined, label);
    if (value === 'keep') {
      const kept = flow.answers[step.id] ?? (step.prefill ? this.ctx.owner[step.prefill] : undefined);
      if (kept !== undefined) return this.accept(step, kept, label);
    }
    switch (a.kind) {
      case 'choice':
        return this.accept(step, value.slice(2), label);
      case 'multi': {
        const picked = flow.picked ?? [];
        if (value === 'done') {
          if (picked.length < a.min) return this.reprompt('input.pick_at_least', { min: a.min });
          return this.accept(step, picked, this.show(step, picked));
        }
        const option = value.slice(2);
        if (picked.includes(option)) flow.picked = picked.filter((p) => p !== option);
        else if (a.max !== undefined && picked.length >= a.max)
          return this.reprompt('input.pick_at_most', { max: a.max });
        else flow.picked = [...picked, option];
        return this.ask(step);
      }
      case 'yesno':
        return this.accept(step, value === 'y', label);
      case 'rating':
        return this.accept(step, Number(value.slice(2)), label);
      case 'photos':
        return this.accept(step, (flow.answers[step.id] as PhotoAnswer[] | undefined) ?? [], label);
      case 'location': {
        if (value === 'pub') {
          flow.stage = 'public';
          return this.ask(step);
        }
        if (value === 'place_ok' && flow.stage === 'confirm_place' && flow.pending !== undefined) {
          return this.accept(step, flow.pending, label);
        }
        if (value === 'place_retype') {
          flow.stage = undefined;
          flow.pending = undefined;
          return this.ask(step);
        }
        const unit = this.ctx.owner.units[Number(value.slice(2))];
        if (unit) return this.accept(step, parseLocation(unit), label);
        return this.askAgain();
      }
      case 'confirm':
        return this.confirm(step, value);
      default:
        return this.askAgain();
    }
  }

  private confirm(step: StepSpec, value: string): void {
    const flow = this.flow;
    const spec = this.spec();
    if (!flow || !spec) return;
    if (value === 'ok') {
      this.closePrompt(step, this.t('confirm.ok'));
      this.runEffect(spec, step);
      return this.finish();
    }
    if (value === 'cancel') {
      this.closePrompt(step, this.t('confirm.cancel'));
      return this.cancel();
    }
    if (value === 'edit') {
      flow.stage = 'pick_field';
      return this.ask(step);
    }
    if (value === 'rb') {
      flow.stage = undefined;
      return this.ask(step);
    }
    const field = value.startsWith('f.') ? getStep(spec, value.slice(2)) : undefined;
    if (!field) return this.askAgain();
    flow.stage = undefined;
    flow.editing = true;
    flow.stepId = field.id;
    this.ask(field);
  }

  /** Typed text where no button matched: the answer itself for text-like steps, else a re-prompt. */
  private typed(raw: string, lead?: string): void {
    const step = this.currentStep();
    const flow = this.flow;
    if (this.state.prompt === 'menu' || this.state.prompt === 'mytickets') return this.freeText(raw);
    if (this.state.prompt === 'emergency_check') {
      // 是 / 对 / 不是 / 没有 … typed instead of tapped.
      const yes = checkYesNo(raw);
      if (yes.ok)
        return this.choose(yes.value ? 'y' : 'n', this.t(yes.value ? 'emergency.check.yes' : 'emergency.check.no'));
    }
    if (this.state.prompt === 'lang') return this.keepAtLanguage(raw);
    if (this.state.prompt || !step || !flow) return this.reprompt('input.choose');
    const a = step.answer;
    // A question typed where a value is wanted is passed on (咨询) and the same question asked again.
    if (this.questionInstead(step, raw)) return this.enquiry(raw);
    let checked: Checked;
    switch (a.kind) {
      case 'text':
        if ((a.reads ?? (a.letters ? 'name' : 'reply')) === 'name') {
          checked = checkName(raw);
          break;
        }
        checked = checkText(raw, a.min, a.max);
        if (checked.ok && a.letters && !/\p{L}/u.test(checked.value as string))
          checked = { ok: false, error: 'input.name_letters' };
        break;
      case 'phone':
        checked = checkPhone(raw);
        break;
      case 'location': {
        if (flow.stage === 'confirm_place') {
          // 是 / 对 typed instead of tapped keeps the place read back; anything else is a new place.
          const yes = checkYesNo(raw);
          if (yes.ok && yes.value && flow.pending !== undefined) return this.accept(step, flow.pending, raw);
          flow.stage = undefined;
          flow.pending = undefined;
          if (yes.ok) return this.ask(step);
        }
        const text = checkText(raw, 2, LOCATION_MAX);
        if (!text.ok || flow.stage === 'public') {
          checked = text.ok ? { ok: true, value: { kind: 'public', description: text.value as string } } : text;
          break;
        }
        // A place in no form we know (李先生) is read back before it is kept.
        // Not in an emergency: there the place is kept as written and nobody is kept waiting.
        const place = readPlace(raw);
        if (!place.known && flow.flowId !== this.emergencyFlowId()) return this.confirmPlace(step, place.value);
        checked = { ok: true, value: place.value };
        break;
      }
      case 'rating':
        checked = checkRating(raw, a.min, a.max);
        break;
      case 'yesno':
        checked = checkYesNo(raw);
        break;
      case 'photos':
        return this.askAgain(this.t('photos.waiting'));
      case 'confirm':
        return this.reprompt('confirm.use_buttons');
      case 'choice': {
        const u = this.usableUnderstanding();
        if (u && this.spec()?.understands && (u.category !== 'other' || u.location))
          return this.applySuggestions(u, raw);
        return this.reprompt('input.choose');
      }
      case 'multi': {
        const numbers = toHalfWidth(raw)
          .split(/[\s,，、;；]+/)
          .filter(Boolean);
        const picked = numbers.map((n) => (/^\d{1,2}$/.test(n) ? a.options[Number(n) - 1] : undefined));
        if (picked.length === 0 || picked.some((p) => p === undefined)) return this.reprompt('input.multi_hint');
        const unique = [...new Set(picked as string[])];
        if (unique.length < a.min) return this.reprompt('input.pick_at_least', { min: a.min });
        if (a.max !== undefined && unique.length > a.max) return this.reprompt('input.pick_at_most', { max: a.max });
        checked = { ok: true, value: unique };
        break;
      }
    }
    if (!checked.ok) return this.askAgain([lead, this.t(checked.error, checked.params)].filter(Boolean).join('\n'));
    if (lead) this.send({ text: lead });
    this.accept(step, checked.value, this.show(step, checked.value));
  }

  // ── what a form question must not swallow; the owner's language ─────────

  /**
   * Whether what was typed at this step is a question for us rather than its answer: any question where a
   * short value or a choice is wanted (a place, a name, a phone number, 1/2/3), only a request for
   * information where a description is wanted (为什么天天漏水？ is a complaint), never for a reply.
   */
  private questionInstead(step: StepSpec, raw: string): boolean {
    // In an emergency every word is the emergency's: nothing is held back as a question.
    if (this.flow?.flowId === this.emergencyFlowId()) return false;
    const a = step.answer;
    switch (a.kind) {
      case 'text':
        return isQuestionFor(raw, a.reads ?? (a.letters ? 'name' : 'reply'));
      case 'phone':
        return !checkPhone(raw).ok && readsAsQuestion(raw);
      case 'location':
        // 3栋电梯怎么又坏了 names a place: a complaint put as a question, still the answer here.
        return asksForInformation(raw) || (readsAsQuestion(raw) && !readPlace(raw).known);
      case 'yesno':
        return !checkYesNo(raw).ok && readsAsQuestion(raw);
      case 'rating':
        return !checkRating(raw, a.min, a.max).ok && readsAsQuestion(raw);
      case 'choice': {
        // In the report flow a problem put as a question (楼上漏水怎么办？) is read as the report.
        const u = this.usableUnderstanding();
        if (u && this.spec()?.understands && (u.category !== 'other' || u.location)) return asksForInformation(raw);
        return readsAsQuestion(raw);
      }
      case 'photos':
      case 'confirm':
      case 'multi':
        // 好了吗 / 怎么发照片？ are about this question itself: its own hint answers them.
        return asksForInformation(raw);
    }
  }

  /** Passes a question to the service centre (the application says when to expect an answer) and asks again. */
  private enquiry(raw: string): void {
    const flow = this.flow;
    this.effect({
      type: 'enquiry.forward',
      text: [...cleanText(raw)].slice(0, 1000).join(''),
      ...(flow ? { flowId: flow.flowId, stepId: flow.stepId } : {}),
    });
    this.askAgain(this.t('enquiry.meanwhile'));
  }

  /** Reads a place back before keeping it: 是「公共区域：李先生」吗？ [是 / 重新输入]. */
  private confirmPlace(step: StepSpec, place: EstateLocation): void {
    const flow = this.flow;
    if (!flow) return;
    flow.stage = 'confirm_place';
    flow.pending = place;
    this.ask(step);
  }

  /**
   * On a conversation's first message: a message mostly in Latin script is answered in English, one
   * mostly in Chinese in Chinese (the owner's language is updated); true when it is mixed, so the owner is
   * asked once. An explicit choice (/lang) is never overridden.
   */
  private languageOfFirstMessage(raw: string): boolean {
    if (this.state.seq !== 0 || this.state.locale || this.flow || this.state.prompt) return false;
    const script = readScript(raw);
    if (script === 'mixed') return true;
    const locale: Locale | undefined = script === 'latin' ? 'en' : script === 'han' ? 'zh-CN' : undefined;
    if (locale && locale !== this.locale) {
      this.locale = locale;
      this.effect({ type: 'owner.update', patch: { locale } });
    }
    return false;
  }

  /** Asks which language, in both; the message waits and is handled once the owner has chosen. */
  private askLanguage(raw: string): void {
    this.state.promptData = [[...cleanText(raw)].slice(0, HARD_TEXT_LIMIT).join('')];
    this.showLanguages(true);
  }

  /** Text at the language question: a language named in words, else a message kept for after the choice. */
  private keepAtLanguage(raw: string): void {
    const named = LANGUAGE_WORDS[fold(raw)];
    const language = named ? LANGUAGES.find((l) => l.locale === named) : undefined;
    if (language) return this.choose(`l.${language.locale}`, language.label);
    const kept = [...(this.state.promptData ?? []), cleanText(raw)].filter(Boolean).join('\n');
    this.state.promptData = [[...kept].slice(0, HARD_TEXT_LIMIT).join('')];
    this.reprompt('lang.kept');
  }
}

// ── helpers ───────────────────────────────────────────────────────────────

function rows(buttons: Button[], columns: number): Button[][] {
  const out: Button[][] = [];
  for (let i = 0; i < buttons.length; i += columns) out.push(buttons.slice(i, i + columns));
  return out;
}

function stringParams(context: FlowContext): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(context)) if (typeof v !== 'boolean') out[k] = v;
  return out;
}

/** Whether an event is an answer to the question on screen (not a command, a menu alias or a flow start). */
function answersAQuestion(event: EngineEvent, registry: FlowRegistry): boolean {
  if (event.type === 'button' || event.type === 'unsupported') return true;
  return event.type === 'text' && parseCommand(event.text, registry) === undefined;
}

function sameContext(a: FlowContext, b: FlowContext): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
