/**
 * Enquiries (咨询), answered promptly and politely (domain.md: never "wait for my boss"):
 *
 *   asked (the front door's `enquiry`/`notice`, or a question inside a form)
 *     → matched against the estate's knowledge → answered at once, with "did this answer your question?"
 *       [是 / 不是，转人工]; 是 is thanked, 不是 hands it to a person;
 *     → no good match: the owner is told so honestly, and it is handed to a person.
 *   handed to a person → a 咨询 item in the staff room, under its own service level (timers.ts); a staff
 *     answer reaches the owner (items.ts); a supervisor can save it as knowledge (learning.ts).
 *   转人工 → an item at once, recorded as an enquiry of kind `human`.
 *
 * With a model, the answer may be phrased by it from the matched entries only, and only if every fact in
 * it is in the entries it cites (answers.ts); the call is made in `prepare`, before the message's
 * transaction, never inside it. Every enquiry is recorded (EnquiryStore) with how it was answered.
 * Button data and typed references are claims: the enquiry must exist, be this owner's and still be in
 * the state the button was offered in; stale presses are answered kindly.
 */
import type { KnowledgeEntry } from '../../core/knowledge/entry.js';
import type { PhrasedAnswer } from '../../core/ports/assistant.js';
import type { Enquiry } from '../../core/ports/enquiries.js';
import type { StoreTx } from '../../core/ports.js';
import { decodeEnquiryButton, encodeEnquiryButton } from '../../core/protocol/enquiry-buttons.js';
import { inWindow, nextAllowed } from '../../core/time.js';
import type { Address, Inbound, Locale, Owner, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { IntentEffect, IntentHandler } from '../owner/front-door.js';
import { localeFromLanguageCode } from '../owner/messages.js';
import type { AppPart, Handled } from '../parts.js';
import { formatTime } from '../render.js';
import type { JobHandler } from '../scheduler.js';
import { ownText, sourcesOf, unfaithful } from './answers.js';
import { buildingOf, deliverAnswer, findEnquiry, ITEM_PREFIX, nextEnquiryId, postItem } from './items.js';
import { LEARN_COMMAND, LEARN_WORDS, learnFromAnswer } from './learning.js';
import { AnswerSessions } from './session.js';
import { answerDue, ENQUIRY_DUE_JOB, runAnswerCheck, scheduleAnswerTimers } from './timers.js';

/** A 咨询 item's reference as staff type it: Q and at least three digits (Q007), then the answer. */
const ITEM_REF = /^\s*[QqＱｑ]\s*(\d{3,9})(?![\d-])[\s:：,，、.。]*([\s\S]*)$/;
/** How long after an automatic answer a typed 是 / 不是 (or 1 / 2, as WeChat numbers the buttons) is its verdict. */
const VERDICT_WINDOW_MS = 30 * 60_000;
const YES = /^(?:1|是|是的|对|对的|有帮助|解决了|清楚了|明白了|知道了|好的?|yes|yes please|it did|helpful)$/i;
const NO =
  /^(?:2|不是|没有|不对|没解决|没有解决|不清楚|不是，?转人工|转人工|人工|no|not really|no,? a person please)$/i;
const verdictKey = (a: Address) => `enquiry.verdict:${a.channel}:${a.chatId}`;

/** What the model phrased for a message, read before its transaction. */
interface Prepared {
  question: string;
  locale: Locale;
  phrased: PhrasedAnswer;
}

const messageKey = (inbound: Inbound) => `${inbound.channel}:${inbound.messageId}`;
const chatKey = (a: Address) => `${a.channel}:${a.chatId}`;
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

export class Enquiries implements AppPart {
  private readonly sessions: AnswerSessions;
  /** Phrasings read before a message's transaction, by chat; taken by the transaction, dropped after it. */
  private readonly prepared = new Map<string, Prepared>();
  /** Entries saved in a message's transaction, by message; the index learns them once it has committed. */
  private readonly learned = new Map<string, KnowledgeEntry[]>();
  private savedLoaded: Promise<number> | undefined;

  constructor(private readonly ctx: AppContext) {
    this.sessions = new AnswerSessions(() => ctx.clock.now());
  }

  /** The front door's intents this part answers. */
  intents(): Record<'enquiry' | 'notice' | 'human', IntentHandler> {
    const ask: IntentHandler = (tx, owner, address, effect, now) => this.ask(tx, owner, address, effect, now);
    return {
      enquiry: ask,
      notice: ask,
      human: (tx, owner, address, effect, now) => this.human(tx, owner, address, effect, now),
    };
  }

  // ── before and after the message's transaction ─────────────────────────────

  /**
   * Adds the entries staff saved to the knowledge index (once; at start-up, and before the first message
   * in any process that did not). Resolves to how many there were.
   */
  loadSaved(): Promise<number> {
    this.savedLoaded ??= (async () => {
      const knowledge = this.ctx.knowledge;
      if (!knowledge) return 0;
      const saved = await this.ctx.store.listKnowledgeEntries();
      knowledge.add(saved);
      this.ctx.log.info({ count: saved.length }, 'knowledge saved by staff added to the index');
      return saved.length;
    })();
    return this.savedLoaded;
  }

  /**
   * Before the message's transaction: an owner's question the knowledge has an answer to is phrased by the
   * assistant now (a model call must never hold the store). Never throws: without a phrasing the entries'
   * own text is used.
   */
  async prepare(inbound: Inbound): Promise<void> {
    try {
      await this.loadSaved();
      const { knowledge, assistant } = this.ctx;
      // Offline, the answer is the entries' own text: nothing to prepare, and no second reading of the message.
      if (!knowledge || !assistant?.rewordsAnswers || inbound.chatKind !== 'private') return;
      if (inbound.content.type !== 'text') return;
      const question = inbound.content.text.trim();
      if (!question || question.startsWith('/')) return;
      const emergency = assistant.assessEmergency(question);
      if (emergency.verdict !== 'none') return;
      const intent = assistant.understandNow(question, emergency).intent;
      if (intent !== 'enquiry' && intent !== 'notice' && !looksLikeQuestion(question)) return;
      const owner = await this.ctx.store.findOwnerByIdentity(inbound.channel, inbound.userId);
      const locale = owner?.locale ?? localeFromLanguageCode(inbound.languageCode, this.ctx.settings.defaultLocale);
      const sources = sourcesOf(this.ctx, knowledge.answer(question, locale), locale);
      if (sources.length === 0) return;
      const phrased = await assistant.phraseAnswer({ question, locale, sources });
      if (phrased) this.prepared.set(chatKey(inbound), { question: squash(question), locale, phrased });
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'phrasing an answer from the knowledge failed; the entries will be quoted');
    }
  }

  /** After the message's transaction: drops its phrasing, and the index learns what it saved (if it committed). */
  async settle(inbound: Inbound): Promise<void> {
    this.prepared.delete(chatKey(inbound));
    const entries = this.learned.get(messageKey(inbound));
    if (!entries) return;
    this.learned.delete(messageKey(inbound));
    try {
      const stored = new Set((await this.ctx.store.listKnowledgeEntries()).map((e) => e.id));
      this.ctx.knowledge?.add(entries.filter((e) => stored.has(e.id)));
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not add a saved knowledge entry to the index; it is added at start-up');
    }
  }

  // ── the part ───────────────────────────────────────────────────────────────

  async ownerMessage(tx: StoreTx, owner: Owner, inbound: Inbound, now: Date): Promise<Handled | undefined> {
    if (inbound.content.type === 'button') {
      const button = decodeEnquiryButton(inbound.content.data);
      if (!button) return undefined;
      if (button.audience === 'staff') {
        this.ctx.log.warn({ channel: inbound.channel }, 'refused an enquiry staff button from an owner');
        return { ack: { text: this.ctx.t(owner.locale, 'enquiry_kb.staff_only'), alert: true } };
      }
      await tx.setSetting(verdictKey(inbound), '');
      return this.verdict(tx, owner, inbound, button.id, button.action === 'helpful', now);
    }
    if (inbound.content.type !== 'text' || !this.ctx.knowledge) return undefined;
    // 是 / 不是 (or 1 / 2) typed right after an automatic answer, where the buttons are a numbered list.
    const raw = await tx.getSetting(verdictKey(inbound));
    if (!raw) return undefined;
    await tx.setSetting(verdictKey(inbound), '');
    const marker = parseMarker(raw);
    const word = inbound.content.text.trim().replace(/[。.!！~～\s]+$/u, '');
    const helpful = YES.test(word) ? true : NO.test(word) ? false : undefined;
    if (!marker || marker.until < now.getTime() || helpful === undefined) return undefined;
    return this.verdict(tx, owner, inbound, marker.id, helpful, now);
  }

  async staffMessage(tx: StoreTx, staff: Staff, inbound: Inbound, _now: Date): Promise<Handled | undefined> {
    if (inbound.content.type === 'button') {
      const button = decodeEnquiryButton(inbound.content.data);
      // An owner's button pressed by staff in their own chat is theirs as an owner.
      if (button?.audience !== 'staff') return undefined;
      if (button.action === 'learn')
        return learnFromAnswer(this.ctx, tx, inbound, staff, button.id, this.saver(inbound));
      return this.openAnswer(tx, staff, inbound, button.id);
    }
    if (inbound.content.type !== 'text') return undefined;
    const learn = inbound.content.text.match(LEARN_COMMAND);
    if (learn) {
      if (!learn[1]) {
        await this.ctx.sendTo(tx, inbound, { text: this.ctx.t(this.ctx.staffLocale, 'enquiry_kb.staff.learn_usage') });
        return {};
      }
      return learnFromAnswer(this.ctx, tx, inbound, staff, `Q${learn[1].padStart(3, '0')}`, this.saver(inbound));
    }
    // Typed answers, replies and the 回答 session belong to the staff room; in a private chat staff are owners.
    if (inbound.chatKind !== 'staff') return undefined;
    return (await this.staffText(tx, inbound, staff)) ? {} : undefined;
  }

  jobHandlers(): Record<string, JobHandler> {
    return { [ENQUIRY_DUE_JOB]: (job, tx) => runAnswerCheck(this.ctx, tx, job) };
  }

  /**
   * A staff-room message answering an item: `Q012 …` typed (or `Q012 存入知识库`), a reply to or quote of
   * the item, or the next message after 回答. False when the message is not one (the staff desk takes it).
   */
  async staffText(tx: StoreTx, inbound: Inbound, staff?: Staff): Promise<boolean> {
    if (inbound.content.type !== 'text') return false;
    const typed = inbound.content.text.match(ITEM_REF);
    if (typed?.[1]) {
      const ref = `Q${typed[1]}`;
      const rest = typed[2]?.trim() ?? '';
      if (staff) await this.sessions.end(tx, staff.id);
      if (staff && LEARN_WORDS.test(rest)) {
        await learnFromAnswer(this.ctx, tx, inbound, staff, ref, this.saver(inbound));
        return true;
      }
      return this.answer(tx, inbound, staff, ref, rest, true);
    }
    const text = inbound.content.text.trim();
    // A quote of the item (WeChat reads it from the quoted text) answers it, as a reply to it does.
    if (inbound.quotedItem) return this.answer(tx, inbound, staff, inbound.quotedItem, text, true);
    if (inbound.replyTo) {
      const replied = await tx.findRefByMessage(inbound.channel, inbound.chatId, inbound.replyTo);
      if (replied?.startsWith(ITEM_PREFIX))
        return this.answer(tx, inbound, staff, replied.slice(ITEM_PREFIX.length), text, false);
    }
    if (!staff) return false;
    const session = await this.sessions.read(tx, staff.id);
    if (!session) return false;
    if (/^(?:\/cancel|取消|\/取消)$/i.test(text)) {
      await this.sessions.end(tx, staff.id);
      await this.ctx.sendTo(tx, inbound, {
        text: this.ctx.t(this.ctx.staffLocale, 'enquiry_kb.staff.answer_cancelled', { ref: session.state.id }),
      });
      return true;
    }
    // A command is something else the staff member turned to: the answer waits no longer.
    if (text.startsWith('/')) {
      await this.sessions.end(tx, staff.id);
      return false;
    }
    await this.sessions.end(tx, staff.id);
    return this.answer(tx, inbound, staff, session.state.id, text, true);
  }

  // ── owners ─────────────────────────────────────────────────────────────────

  private async ask(tx: StoreTx, owner: Owner, address: Address, effect: IntentEffect, now: Date): Promise<void> {
    const id = await nextEnquiryId(tx);
    const locale = owner.locale;
    const matches = this.ctx.knowledge?.answer(effect.text, locale) ?? [];
    const sources = sourcesOf(this.ctx, matches, locale);
    const base = this.newEnquiry(id, owner, address, effect, now);
    if (sources.length === 0) {
      const waiting: Enquiry = { ...base, status: 'waiting', dueAt: answerDue(this.ctx, now) };
      await this.handOver(tx, owner, waiting, now);
      await this.ctx.sendTo(tx, address, { text: this.noMatchText(waiting, now) });
      this.ctx.log.info(
        { ownerId: owner.id, ref: id },
        'an enquiry the knowledge could not answer was passed to the staff room',
      );
      return;
    }
    const answer = this.chooseAnswer(address, effect.text, locale, sources);
    const best = matches[0]?.entry;
    await tx.createEnquiry({
      ...base,
      status: 'answered',
      matched: sources.map((s) => s.id),
      ...(best ? { topic: best.topic } : {}),
      answer: answer.text,
    });
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(locale, 'enquiry_kb.answer', { answer: answer.text }),
      buttons: [
        [
          {
            label: this.ctx.t(locale, 'enquiry_kb.yes'),
            data: encodeEnquiryButton({ audience: 'owner', action: 'helpful', id }),
          },
          {
            label: this.ctx.t(locale, 'enquiry_kb.no'),
            data: encodeEnquiryButton({ audience: 'owner', action: 'not_helpful', id }),
          },
        ],
      ],
    });
    // Outside a form the next 是 / 不是 typed is the verdict; inside one it answers the form's question.
    const thread = await tx.getThread(address.channel, address.chatId);
    if (!thread?.state.flow) {
      await tx.setSetting(verdictKey(address), JSON.stringify({ id, until: now.getTime() + VERDICT_WINDOW_MS }));
    }
    this.ctx.log.info(
      { ownerId: owner.id, ref: id, cites: answer.cites },
      'an enquiry was answered from the knowledge',
    );
  }

  private async human(tx: StoreTx, owner: Owner, address: Address, effect: IntentEffect, now: Date): Promise<void> {
    const id = await nextEnquiryId(tx);
    const enquiry: Enquiry = {
      ...this.newEnquiry(id, owner, address, effect, now),
      status: 'waiting',
      dueAt: answerDue(this.ctx, now),
    };
    await this.handOver(tx, owner, enquiry, now);
    const time = this.nextOpening(now, owner.locale);
    await this.ctx.sendTo(tx, address, {
      text: this.ctx.t(owner.locale, time ? 'frontdoor.human_later' : 'frontdoor.human_now', { time: time ?? '' }),
    });
    this.ctx.log.info({ ownerId: owner.id, channel: address.channel, ref: id }, 'an owner asked for a person');
  }

  /** 是 or 不是，转人工 for an automatic answer: thanked, or handed to a person. */
  private async verdict(
    tx: StoreTx,
    owner: Owner,
    inbound: Inbound,
    id: string,
    helpful: boolean,
    now: Date,
  ): Promise<Handled> {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(owner.locale, k, p);
    const viaButton = inbound.content.type === 'button';
    const enquiry = await tx.getEnquiry(id);
    if (!enquiry || enquiry.ownerId !== owner.id || enquiry.status !== 'answered' || enquiry.helpful !== undefined) {
      const key =
        !enquiry || enquiry.ownerId !== owner.id
          ? 'enquiry_kb.stale_unknown'
          : enquiry.status === 'waiting'
            ? 'enquiry_kb.stale_waiting'
            : enquiry.status === 'staff'
              ? 'enquiry_kb.stale_done'
              : 'enquiry_kb.stale_recorded';
      if (viaButton) return { ack: { text: t(key) } };
      await this.ctx.sendTo(tx, inbound, { text: t(key) });
      return {};
    }
    if (helpful) {
      await tx.saveEnquiry({ ...enquiry, helpful: true, updatedAt: now });
      await this.ctx.sendTo(tx, inbound, { text: t('enquiry_kb.helpful_thanks') });
      return viaButton ? { ack: { text: '' } } : {};
    }
    const waiting: Enquiry = {
      ...enquiry,
      helpful: false,
      status: 'waiting',
      dueAt: answerDue(this.ctx, now),
      updatedAt: now,
    };
    await this.handOver(tx, owner, waiting, now, enquiry.answer);
    const due = formatTime(waiting.dueAt ?? now, owner.locale, this.ctx.settings.timeZone);
    await this.ctx.sendTo(tx, inbound, {
      text: t(this.nextOpening(now, owner.locale) ? 'enquiry_kb.handed_later' : 'enquiry_kb.handed_now', { due }),
    });
    this.ctx.log.info({ ownerId: owner.id, ref: id }, 'an automatic answer did not help; passed to the staff room');
    return viaButton ? { ack: { text: '' } } : {};
  }

  // ── staff ──────────────────────────────────────────────────────────────────

  /** 💬 回答: the staff member's next message in the room is the answer. */
  private async openAnswer(tx: StoreTx, staff: Staff, inbound: Inbound, ref: string): Promise<Handled> {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    const enquiry = await findEnquiry(this.ctx, tx, ref);
    if (!enquiry) return { ack: { text: t('desk.frontdoor.no_item', { ref }), alert: true } };
    if (enquiry.status === 'closed') return { ack: { text: t('enquiry_kb.staff.closed', { ref }), alert: true } };
    await this.sessions.open(tx, staff.id, ref);
    await this.ctx.sendTo(tx, inbound, { text: t('enquiry_kb.staff.ask_answer', { name: staff.displayName, ref }) });
    return { ack: { text: '' } };
  }

  private async answer(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff | undefined,
    ref: string,
    text: string,
    explicit: boolean,
  ): Promise<boolean> {
    const t = (k: string, p?: Record<string, string | number>) => this.ctx.t(this.ctx.staffLocale, k, p);
    const enquiry = await findEnquiry(this.ctx, tx, ref);
    if (!enquiry) {
      // `Q12 …` naming no item is staff talking only if it was never a reference: say so once, quietly.
      if (!explicit) return false;
      await this.ctx.sendTo(tx, inbound, { text: t('desk.frontdoor.no_item', { ref }) });
      return true;
    }
    if (!text) {
      await this.ctx.sendTo(tx, inbound, { text: t('desk.frontdoor.answer_usage', { ref }) });
      return true;
    }
    const by = staff ?? (await tx.findStaff(inbound.channel, inbound.userId));
    await deliverAnswer(this.ctx, tx, inbound, by, enquiry, text);
    return true;
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  private newEnquiry(
    id: string,
    owner: Owner,
    address: Address,
    effect: IntentEffect,
    now: Date,
  ): Omit<Enquiry, 'status'> {
    const building = buildingOf(owner);
    return {
      id,
      ownerId: owner.id,
      channel: address.channel,
      chatId: address.chatId,
      locale: owner.locale,
      text: effect.text,
      ...(building ? { building } : {}),
      kind: effect.intent === 'human' ? 'human' : effect.intent === 'notice' ? 'notice' : 'enquiry',
      askedAt: now,
      updatedAt: now,
    };
  }

  /** Records the enquiry as waiting, posts its item and starts its answering time. */
  private async handOver(tx: StoreTx, owner: Owner, enquiry: Enquiry, now: Date, autoAnswer?: string): Promise<void> {
    if (await tx.getEnquiry(enquiry.id)) await tx.saveEnquiry(enquiry);
    else await tx.createEnquiry(enquiry);
    await postItem(this.ctx, tx, enquiry, owner, autoAnswer);
    await scheduleAnswerTimers(this.ctx, tx, enquiry, now);
  }

  /** The phrasing read before the transaction, if it is for this question and passes the check; else the entries' own text. */
  private chooseAnswer(
    address: Address,
    question: string,
    locale: Locale,
    sources: ReturnType<typeof sourcesOf>,
  ): PhrasedAnswer {
    const own = ownText(sources) ?? { text: '', cites: [] };
    const prepared = this.prepared.get(chatKey(address));
    if (!prepared || prepared.locale !== locale || !squash(question).includes(prepared.question.slice(0, 200)))
      return own;
    const why = unfaithful(prepared.phrased, sources);
    if (why) {
      this.ctx.log.warn(
        { reason: why },
        "the model's phrasing of a knowledge answer was not used; the entries are quoted",
      );
      return own;
    }
    return { text: prepared.phrased.text.trim(), cites: prepared.phrased.cites };
  }

  /** The honest "we have no ready answer" (or, without any knowledge, today's "passed to the staff"). */
  private noMatchText(enquiry: Enquiry, now: Date): string {
    const later = this.nextOpening(now, enquiry.locale);
    if (!this.ctx.knowledge) {
      return this.ctx.t(enquiry.locale, later ? 'enquiry.forwarded_later' : 'enquiry.forwarded_now', {
        text: enquiry.text,
        time: later ?? '',
      });
    }
    const due = formatTime(enquiry.dueAt ?? now, enquiry.locale, this.ctx.settings.timeZone);
    return this.ctx.t(enquiry.locale, later ? 'enquiry_kb.no_match_later' : 'enquiry_kb.no_match_now', {
      text: enquiry.text,
      due,
    });
  }

  /** Outside business hours: when the office opens next; undefined while it is open. */
  private nextOpening(now: Date, locale: Locale): string | undefined {
    const hours = this.ctx.policy.businessHours;
    const zone = this.ctx.settings.timeZone;
    if (inWindow(now, hours, zone)) return undefined;
    return formatTime(nextAllowed(now, { start: hours.end, end: hours.start }, zone), locale, zone);
  }

  private saver(inbound: Inbound): (entry: KnowledgeEntry) => void {
    return (entry) => {
      const key = messageKey(inbound);
      this.learned.set(key, [...(this.learned.get(key) ?? []), entry]);
    };
  }
}

/** A question by its form (请问…, …吗？, how …): worth phrasing an answer for before the transaction. */
function looksLikeQuestion(text: string): boolean {
  return /[?？]\s*$|[吗呢]\s*[。.]?$|^(?:请问|怎么|怎样|如何|哪里|哪儿|什么|几点|多少|能不能|可不可以|可以|是否|有没有)|^(?:how|what|when|where|which|can|could|do|does|is|are)\b/i.test(
    text.trim(),
  );
}

function parseMarker(raw: string): { id: string; until: number } | undefined {
  try {
    const v = JSON.parse(raw) as { id?: unknown; until?: unknown };
    return typeof v.id === 'string' && typeof v.until === 'number' ? { id: v.id, until: v.until } : undefined;
  } catch {
    return undefined;
  }
}
