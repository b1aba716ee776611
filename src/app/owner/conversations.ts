/**
 * The owners' conversations: the one service through which every part of the application reaches an
 * owner's chat. It steps the engine for an owner (their own message, or a flow the application starts),
 * starts or queues a flow about a ticket, takes back a question a ticket has overtaken, tells an owner
 * something about their ticket (out of quiet hours unless urgent), and hands the revisit its work.
 *
 * The staff desk, surveys, revisits and ticket changes are given this service; each names only what it
 * uses (the aliases below), so a test can hand them a small fake.
 */
import type {
  Effect,
  EngineContext,
  EngineEvent,
  FlowContext,
  StepOutcome,
  TicketSummary,
} from '../../core/flow/engine.js';
import { step } from '../../core/flow/engine.js';
import { type AnswerValue, type ConversationState, initialState } from '../../core/flow/state.js';
import type { StoreTx, Thread } from '../../core/ports.js';
import { type Actor, isOpen, type RevisitAnswers, type Ticket } from '../../core/tickets/ticket.js';
import { nextAllowed } from '../../core/time.js';
import {
  type Address,
  type Channel,
  type ClosingEdit,
  LOCALES,
  type MessagePurpose,
  type OutboundAction,
  type Owner,
} from '../../core/types.js';
import type { EmergencyAssessment } from '../../core/understand/emergency.js';
import type { Understanding } from '../../core/understand/understanding.js';
import { type AppContext, isClosingEdit, isPlainText } from '../context.js';
import { formatTime } from '../render.js';

/** An owner who wrote within this long is answered at once, even in quiet hours. */
const ACTIVE_OWNER_MS = 30 * 60_000;
/** How far back in a chat's log to look for the owner's last message. */
const RECENT_LOG_ENTRIES = 30;

export interface StartFlowOptions {
  /** Messages of the flow are not delivered before this instant (quiet hours). */
  notBefore?: Date;
  /** Answers already given (a questionnaire the owner stopped and comes back to). */
  preset?: Record<string, AnswerValue>;
  /** What the flow's messages are for (a survey invitation): a channel with a closed reply window needs it. */
  purpose?: MessagePurpose;
}

/** What a ticket change asks of owners (tickets/changes.ts): notices, questions, taking questions back. */
export type TicketOwnerReach = Pick<OwnerConversations, 'notify' | 'startFlow' | 'withdrawFlow'>;
/** What the staff desk asks of owners: a ticket change's reach, and the revisit. */
export type OwnerSide = TicketOwnerReach & Pick<OwnerConversations, 'scheduleRevisit' | 'revisitByPhone'>;
/** What surveys ask of owners: start or queue a questionnaire in an owner's chat. */
export type SurveyOwners = Pick<OwnerConversations, 'startFlowFor'>;
/** What the revisit asks of owners: its question and its reminder. */
export type RevisitOwners = Pick<OwnerConversations, 'notify' | 'startFlow'>;

/** What the service hands on: the engine's effects, the questionnaire that waits, the revisit. */
interface ConversationParts {
  /** Carries out one of the engine's effects (owner/messages.ts); resolves to the owner as changed. */
  applyEffect(tx: StoreTx, owner: Owner, address: Address, effect: Effect, now: Date): Promise<Owner>;
  /** A ticket's question does not wait behind a satisfaction questionnaire: that one is paused. */
  pauseForTicket(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    thread: Thread,
    notBefore?: Date,
  ): Promise<Thread | undefined>;
  /** The revisit that follows a resolution, and one done by phone. */
  scheduleRevisit(tx: StoreTx, ticket: Ticket): Promise<void>;
  revisitByPhone(
    tx: StoreTx,
    ticket: Ticket,
    given: string | RevisitAnswers,
    actor: Actor,
  ): Promise<{ ok: boolean; message: string }>;
  /** A line to add after the engine's welcome (a notice for the owner's building); undefined for none. */
  greetingLine?(tx: StoreTx, owner: Owner, now: Date): Promise<string | undefined>;
}

/** How the engine is stepped for an owner: when its messages may go, and what was read beforehand. */
interface EngineRun {
  notBefore?: Date;
  understanding?: Understanding;
  emergency?: EmergencyAssessment;
  /** Set on every message of the run (see OutboundMessage.purpose). */
  purpose?: MessagePurpose;
}

export class OwnerConversations {
  private parts?: ConversationParts;

  constructor(private readonly ctx: AppContext) {}

  /** Given once by the App, after the parts that themselves reach owners through this service exist. */
  connect(parts: ConversationParts): void {
    this.parts = parts;
  }

  private part(): ConversationParts {
    if (!this.parts) throw new Error('the owners’ conversations were used before the App connected them');
    return this.parts;
  }

  /** The owner's thread in the chat at `address`, or a new one. */
  async threadOf(tx: StoreTx, address: Address, owner: Owner, now: Date): Promise<Thread> {
    return (
      (await tx.getThread(address.channel, address.chatId)) ?? {
        channel: address.channel,
        chatId: address.chatId,
        ownerId: owner.id,
        state: initialState(),
        updatedAt: now,
      }
    );
  }

  /** Steps the engine and carries out its output in order: messages to the outbox, effects in the store. */
  async runEngine(
    tx: StoreTx,
    owner: Owner,
    thread: Thread,
    event: EngineEvent,
    address: Address,
    now: Date,
    run: EngineRun = {},
  ): Promise<{ ack?: string }> {
    const outcome = await this.engineStep(tx, owner, thread, event, now, run);
    let current = owner;
    // The edit that closes the answered question goes with the next message to the owner that is more
    // than a text (closing-edits.ts): one outbox item, one claim and one write fewer for each answer.
    let closing: ClosingEdit | undefined;
    for (const item of outcome.output) {
      if (item.type === 'out') {
        const welcomed = await this.withGreetingLine(tx, current, item.action, outcome.state, now);
        let action = run.purpose
          ? { ...welcomed, message: { ...welcomed.message, purpose: run.purpose } }
          : await this.headedWithHeld(tx, address, welcomed, outcome.state, run.notBefore);
        if (action.kind === 'edit' && isClosingEdit(action)) {
          if (closing) await this.ctx.enqueue(tx, address, { kind: 'edit', ...closing }, run.notBefore);
          closing = { ref: action.ref, message: action.message };
          continue;
        }
        if (closing && action.kind === 'send' && !isPlainText(action.message)) {
          action = { ...action, closes: closing };
          closing = undefined;
        } else if (closing && action.kind === 'edit') {
          // Another edit goes after the closing edit, as the engine wrote them. A plain text may be held to
          // head the next question (AppContext.holdTexts): the closing edit waits for that question.
          await this.ctx.enqueue(tx, address, { kind: 'edit', ...closing }, run.notBefore);
          closing = undefined;
        }
        await this.ctx.enqueue(tx, address, action, run.notBefore);
      } else {
        // What an effect tells the owner (the receipt of a report) heads the question that follows it.
        this.ctx.holdTexts(tx, address, run.notBefore);
        current = await this.part().applyEffect(tx, current, address, item.effect, now);
      }
    }
    await this.ctx.releaseTexts(tx);
    if (closing) await this.ctx.enqueue(tx, address, { kind: 'edit', ...closing }, run.notBefore);
    await tx.saveThread({ ...thread, state: outcome.state, updatedAt: now });
    if (current !== owner) await tx.saveOwner({ ...current, updatedAt: now });
    return outcome.ack !== undefined ? { ack: outcome.ack } : {};
  }

  /**
   * One engine step for the owner, with their recent tickets read only when the step looks at them.
   *
   * Most steps (a report's answers, a survey's) never do, and reading and summarising up to ten tickets
   * for each was a good part of an owner's message. The step is first run with tickets that record being
   * looked at and are absent; only if they were looked at are they read, and the step run again with
   * them, its outcome the one used. This is exact, not a guess kept in step with the engine by hand (a
   * predicate on the state and event would drift as the engine grows), because `step` is a function of
   * (state, event, ctx) alone: it reads no clock and no randomness, copies the saved state before
   * changing it (readState), and changes nothing it is given except the context object itself (the
   * emergency check's answer swaps its `understanding`), which is why each run is given a context of its
   * own. A step that did not look at the tickets cannot have been changed by them (what the test
   * test/core/flow/tickets-looked-at.test.ts checks over the engine's states). A step that does look (the
   * list, a cancel, text at the menu, the question of which ticket a note is for) costs a second run of
   * the engine, far less than the read it saves the others. The tickets are still read in the owner's
   * transaction before any effect is carried out, as before.
   */
  private async engineStep(
    tx: StoreTx,
    owner: Owner,
    thread: Thread,
    event: EngineEvent,
    now: Date,
    run: EngineRun,
  ): Promise<StepOutcome> {
    const context = (): EngineContext => ({
      registry: this.ctx.registry,
      translate: (locale, key, params) => this.ctx.t(locale, key, params),
      locale: owner.locale,
      owner: {
        ...(owner.name ? { name: owner.name } : {}),
        ...(owner.phone ? { phone: owner.phone } : {}),
        units: owner.units,
        privacyNoticeShown: owner.privacyNoticeShown,
      },
      params: {},
      ...(run.understanding ? { understanding: run.understanding } : {}),
      ...(run.emergency ? { emergency: run.emergency } : {}),
      now,
    });
    let lookedAt = false;
    const trial = step(
      thread.state,
      event,
      Object.defineProperty(context(), 'tickets', {
        enumerable: true,
        get: () => {
          lookedAt = true;
          return undefined;
        },
      }),
    );
    if (!lookedAt) return trial;
    const when = (at: Date) => formatTime(at, owner.locale, this.ctx.settings.timeZone);
    const tickets = (await tx.listTickets({ ownerId: owner.id, limit: 10 })).map((t) => summarise(t, now, when));
    return step(thread.state, event, { ...context(), tickets });
  }

  /**
   * The question `action` headed by what the effects before it told the owner (AppContext.holdTexts), kept
   * when the question is closed, ahead of anything the engine keeps there (the welcome, the privacy notice).
   */
  private async headedWithHeld(
    tx: StoreTx,
    address: Address,
    action: OutboundAction,
    state: ConversationState,
    notBefore?: Date,
  ): Promise<OutboundAction> {
    const question = `prompt:${state.seq}`;
    const headed = await this.ctx.headWithHeld(tx, address, action, { question, ...(notBefore ? { notBefore } : {}) });
    if (headed.heading === undefined) return headed.action;
    const kept = state.opening?.seq === state.seq ? state.opening.text : undefined;
    state.opening = { seq: state.seq, text: [headed.heading, kept].filter(Boolean).join('\n\n') };
    return headed.action;
  }

  /**
   * The greeting's extra line (notices for the owner's building) right after the engine's welcome, in the
   * same message as the welcome and the menu below it, and kept with the welcome when the menu is closed.
   */
  private async withGreetingLine(
    tx: StoreTx,
    owner: Owner,
    action: OutboundAction,
    state: ConversationState,
    now: Date,
  ): Promise<OutboundAction> {
    // The engine keeps the welcome as the opening of the question it heads (welcomeWithMenu): only such a
    // question is looked at, so no other message costs a lookup.
    const kept = state.opening;
    if (action.kind !== 'send' || kept?.seq !== state.seq || action.message.ref !== `prompt:${state.seq}`)
      return action;
    if (!LOCALES.some((locale) => this.ctx.t(locale, 'welcome') === kept.text)) return action;
    const line = await this.part().greetingLine?.(tx, owner, now);
    if (!line) return action;
    const opening = `${kept.text}\n\n${line}`;
    state.opening = { seq: kept.seq, text: opening };
    return {
      ...action,
      message: { ...action.message, text: `${opening}${action.message.text.slice(kept.text.length)}` },
    };
  }

  /** When a non-urgent message may reach this owner: now, or the end of quiet hours. */
  private async ownerSendTime(tx: StoreTx, ticket: Ticket | undefined, address: Address): Promise<Date | undefined> {
    const quiet = this.ctx.policy.quietHours;
    if (!quiet || ticket?.urgency === 'emergency') return undefined;
    const now = this.ctx.clock.now();
    // An owner who wrote to us a moment ago is awake; anything else we did in the chat does not count.
    const recent = await tx.listMessages(address.channel, address.chatId, RECENT_LOG_ENTRIES);
    const lastIn = recent.findLast((entry) => entry.direction === 'in');
    if (lastIn && now.getTime() - lastIn.at.getTime() < ACTIVE_OWNER_MS) return undefined;
    const allowed = nextAllowed(now, quiet, this.ctx.settings.timeZone);
    return allowed.getTime() > now.getTime() ? allowed : undefined;
  }

  /**
   * Tells the owner something about their ticket, in their language (delayed out of quiet hours unless
   * urgent). False when the owner cannot be reached in chat (they blocked the bot or left). `kind` is what
   * the message is for (its purpose): the ticket's progress unless said.
   */
  async notify(
    tx: StoreTx,
    ticket: Ticket,
    key: string,
    params: Record<string, string | number> = {},
    photos?: string[],
    kind: MessagePurpose['kind'] = 'ticket_progress',
  ): Promise<boolean> {
    const owner = await tx.getOwner(ticket.ownerId);
    if (!owner) return false;
    if (owner.unreachable) {
      this.ctx.log.info({ ticket: ticket.number }, 'owner unreachable in chat; message not sent');
      return false;
    }
    const notBefore = await this.ownerSendTime(tx, ticket, ticket.origin);
    await this.ctx.sendTo(
      tx,
      ticket.origin,
      {
        text: this.ctx.t(owner.locale, key, params),
        ...(photos?.length ? { photos } : {}),
        purpose: this.ticketPurpose(ticket, owner, kind),
      },
      notBefore,
    );
    return true;
  }

  /** The purpose of a message about a ticket: its number, and its category in the owner's language. */
  private ticketPurpose(ticket: Ticket, owner: Owner, kind: MessagePurpose['kind']): MessagePurpose {
    return { kind, ref: ticket.number, title: this.ctx.t(owner.locale, `ticket.category.${ticket.category}`) };
  }

  /** Starts (or queues behind the owner's current flow) a conversation about the ticket; false as above. */
  async startFlow(
    tx: StoreTx,
    ticket: Ticket,
    flowId: string,
    context: Record<string, string | number | boolean>,
  ): Promise<boolean> {
    const owner = await tx.getOwner(ticket.ownerId);
    if (!owner || owner.unreachable) return false;
    const now = this.ctx.clock.now();
    let thread = await this.threadOf(tx, ticket.origin, owner, now);
    const notBefore = await this.ownerSendTime(tx, ticket, ticket.origin);
    // The ticket's question does not wait behind a satisfaction questionnaire: that one is paused.
    thread = (await this.part().pauseForTicket(tx, owner, ticket.origin, thread, notBefore)) ?? thread;
    await this.runEngine(tx, owner, thread, { type: 'start', flowId, context, queueIfBusy: true }, ticket.origin, now, {
      ...(notBefore ? { notBefore } : {}),
      purpose: this.ticketPurpose(ticket, owner, flowId === 'revisit' ? 'revisit_invitation' : 'ticket_progress'),
    });
    return true;
  }

  /**
   * Takes back a question about the ticket that staff have overtaken (a plan or a visit time the owner has
   * not answered): a queued one is dropped, a current one ends and whatever waited behind it starts.
   */
  async withdrawFlow(tx: StoreTx, ticket: Ticket, flowId: string): Promise<void> {
    const thread = await tx.getThread(ticket.origin.channel, ticket.origin.chatId);
    if (!thread) return;
    const ours = (f: { flowId: string; context: FlowContext }) =>
      f.flowId === flowId && f.context.number === ticket.number;
    const state = structuredClone(thread.state);
    const droppedCurrent = state.flow !== undefined && ours(state.flow);
    const queued = state.queue.length;
    state.queue = state.queue.filter((q) => !ours(q));
    if (!droppedCurrent && state.queue.length === queued) return;
    if (droppedCurrent) state.flow = undefined;
    const next = droppedCurrent ? state.queue.shift() : undefined;
    const now = this.ctx.clock.now();
    await tx.saveThread({ ...thread, state, updatedAt: now });
    const owner = await tx.getOwner(ticket.ownerId);
    if (next && owner) {
      const notBefore = await this.ownerSendTime(tx, ticket, ticket.origin);
      await this.startFlowFor(tx, owner, ticket.origin, next.flowId, next.context, notBefore ? { notBefore } : {});
    }
  }

  /**
   * Starts the flow in the owner's chat at `address`, or queues it behind the flow the owner is in (an
   * owner is never interrupted in the middle of a complaint), outside quiet hours when asked.
   */
  async startFlowFor(
    tx: StoreTx,
    owner: Owner,
    address: Address,
    flowId: string,
    context: FlowContext,
    opts: StartFlowOptions = {},
  ): Promise<void> {
    if (owner.unreachable) return;
    const now = this.ctx.clock.now();
    const thread = await this.threadOf(tx, address, owner, now);
    const event: EngineEvent = {
      type: 'start',
      flowId,
      context,
      queueIfBusy: true,
      ...(opts.preset ? { preset: opts.preset } : {}),
    };
    await this.runEngine(tx, owner, thread, event, address, now, {
      ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
      ...(opts.purpose ? { purpose: opts.purpose } : {}),
    });
  }

  /** The revisit that follows a resolution. */
  scheduleRevisit(tx: StoreTx, ticket: Ticket): Promise<void> {
    return this.part().scheduleRevisit(tx, ticket);
  }

  /** Records a revisit done by phone (`/revisit T… 已解决 满意 未收费 9`, or the guided questions' answers). */
  revisitByPhone(
    tx: StoreTx,
    ticket: Ticket,
    given: string | RevisitAnswers,
    actor: Actor,
  ): Promise<{ ok: boolean; message: string }> {
    return this.part().revisitByPhone(tx, ticket, given, actor);
  }

  /** Marks the owner behind a chat as unreachable (they blocked the bot or left). */
  async markUnreachable(channel: Channel, chatId: string): Promise<void> {
    await this.ctx.store.transaction(async (tx) => {
      const thread = await tx.getThread(channel, chatId);
      const owner = thread ? await tx.getOwner(thread.ownerId) : undefined;
      if (!owner || owner.unreachable) return;
      await tx.saveOwner({ ...owner, unreachable: true, updatedAt: this.ctx.clock.now() });
      this.ctx.log.warn({ ownerId: owner.id, channel }, 'owner marked unreachable');
    });
  }
}

/** What the engine is told of a ticket; `when` writes the next visit in the owner's words. */
function summarise(ticket: Ticket, now: Date, when: (at: Date) => string): TicketSummary {
  const visit =
    isOpen(ticket.status) && ticket.scheduledFor && ticket.scheduledFor.getTime() > now.getTime()
      ? when(ticket.scheduledFor)
      : undefined;
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    category: ticket.category,
    ...(ticket.assignee ? { assignee: ticket.assignee.name } : {}),
    open: isOpen(ticket.status),
    cancellable: ticket.status === 'recorded',
    ...(visit ? { visit } : {}),
  };
}
