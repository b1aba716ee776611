/**
 * Contact records (domain.md: regular contact is planned and recorded — time, place, who, which staff,
 * what happened, the result — filed by kind of customer): `/contact` asks for one question by question,
 * `/contact 走访|业主 张三 13812345678|3-2-501|说了什么|结果[|时间]` records it in one line, and
 * `/contact list 13812345678`, `/contact list 张三` or `/contact list 2026-11` lists them, a month's grouped
 * by kind of customer. Names and phone numbers are masked for staff who are not supervisors.
 */
import { z } from 'zod';
import { checkPhone, checkText, fold } from '../../core/flow/answers.js';
import { formatNoticeTime, readInstant } from '../../core/notices/when.js';
import {
  CONTACT_KINDS,
  CONTACT_PARTIES,
  type ContactQuery,
  type ContactRecord,
  type StoreTx,
} from '../../core/ports.js';
import { maskPhone } from '../../core/tickets/ticket.js';
import { labelColon, type Staff, type Translate } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { summaryPeriod } from '../desk/reports.js';
import { choiceOf, type GuidedFlow, problemText, type Step, textOf } from './guided.js';

const WHO_MAX = 40;
const PLACE_MAX = 100;
const TEXT_MAX = 1000;
/** A contact "now" may be typed a little ahead of the clock; anything later is not a contact made. */
const FUTURE_SLACK_MS = 10 * 60_000;
/** How many records a list shows. */
const LIST_MAX = 30;

const STATE = z.object({
  kind: z.enum(CONTACT_KINDS).optional(),
  party: z.enum(CONTACT_PARTIES).optional(),
  who: z.string().optional(),
  phone: z.string().optional(),
  at: z.iso.datetime().optional(),
  place: z.string().optional(),
  said: z.string().optional(),
  result: z.string().optional(),
});
export type ContactState = z.infer<typeof STATE>;

export class ContactRecords {
  readonly flow: GuidedFlow<ContactState>;

  constructor(private readonly ctx: AppContext) {
    this.flow = { code: 'c', steps: this.steps(), parse: (s) => STATE.safeParse(s).data };
  }

  private get t(): Translate {
    return (key, params) => this.ctx.t(this.ctx.staffLocale, key, params);
  }

  private steps(): Step<ContactState>[] {
    const t = this.t;
    const optional =
      (max: number, field: 'place' | 'result') =>
      async (_tx: StoreTx, s: ContactState, a: { choice: string } | { text: string }) => {
        if ('choice' in a) return { state: s };
        const checked = checkText(a.text, 1, max);
        return checked.ok ? { state: { ...s, [field]: String(checked.value) } } : { problem: problemText(t, checked) };
      };
    return [
      {
        id: 'kind',
        ask: () => ({
          text: t('contact_record.ask.kind'),
          choices: CONTACT_KINDS.map((k) => ({ value: k, label: t(`contact_record.kind.${k}`) })),
        }),
        read: async (_tx, s, a) => {
          const kind = CONTACT_KINDS.find((k) => k === choiceOf(a));
          return kind ? { state: { ...s, kind } } : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'party',
        ask: () => ({
          text: t('contact_record.ask.party'),
          choices: CONTACT_PARTIES.map((p) => ({ value: p, label: t(`contact_record.party.${p}`) })),
        }),
        read: async (_tx, s, a) => {
          const party = CONTACT_PARTIES.find((p) => p === choiceOf(a));
          return party ? { state: { ...s, party } } : { problem: t('intake.problem.pick') };
        },
      },
      {
        id: 'who',
        ask: () => ({ text: t('contact_record.ask.who') }),
        read: async (_tx, s, a) => {
          const who = readWho(textOf(a));
          if ('problem' in who) return { problem: t(who.problem, { max: WHO_MAX }) };
          return { state: { ...s, who: who.who, ...(who.phone ? { phone: who.phone } : {}) } };
        },
      },
      {
        id: 'when',
        ask: () => ({
          text: t('contact_record.ask.when'),
          choices: [{ value: 'now', label: t('contact_record.now') }],
        }),
        read: async (_tx, s, a) => {
          const at = 'choice' in a ? this.ctx.clock.now() : this.readWhen(a.text);
          if (!at || typeof at === 'string') return { problem: t(at ?? 'contact_record.problem.when') };
          return { state: { ...s, at: at.toISOString() } };
        },
      },
      {
        id: 'place',
        ask: () => ({ text: t('contact_record.ask.place'), choices: [{ value: 'none', label: t('intake.skip') }] }),
        read: optional(PLACE_MAX, 'place'),
      },
      {
        id: 'said',
        ask: () => ({ text: t('contact_record.ask.said') }),
        read: async (_tx, s, a) => {
          const checked = checkText(textOf(a), 2, TEXT_MAX);
          return checked.ok ? { state: { ...s, said: String(checked.value) } } : { problem: problemText(t, checked) };
        },
      },
      {
        id: 'result',
        ask: () => ({ text: t('contact_record.ask.result'), choices: [{ value: 'none', label: t('intake.skip') }] }),
        read: optional(TEXT_MAX, 'result'),
      },
      {
        id: 'confirm',
        ask: (s) => ({
          text: `${t('contact_record.readback_title')}\n${this.lines(s, true)}\n${t('intake.new.readback_end')}`,
          choices: [{ value: 'ok', label: t('intake.new.confirm_button') }],
        }),
        read: async (tx, s, a, who) => {
          if (choiceOf(a) !== 'ok') return { problem: t('intake.problem.confirm') };
          return { done: [{ text: await this.save(tx, s, who.staff) }] };
        },
      },
    ];
  }

  /** A contact time as typed: a date and time not later than now; a locale key when it cannot be one. */
  private readWhen(typed: string): Date | string | undefined {
    const now = this.ctx.clock.now();
    const read = readInstant(typed, now, this.ctx.settings.timeZone);
    if (!read || read.rest) return undefined;
    if (read.at.getTime() > now.getTime() + FUTURE_SLACK_MS) return 'contact_record.problem.future';
    return read.at;
  }

  /**
   * `/contact …` after the word: nothing (the questions, started by the caller), `list …`, or the one-line
   * form. Resolves to the reply.
   */
  async command(tx: StoreTx, staff: Staff, rest: string): Promise<string> {
    const [first = '', ...more] = rest.trim().split(/\s+/);
    if (['list', '列表', '查询', '查看'].includes(first.toLowerCase())) return this.list(tx, staff, more.join(' '));
    if (['help', '帮助'].includes(first.toLowerCase())) return this.t('contact_record.usage');
    return this.oneLine(tx, staff, rest);
  }

  /** `走访|业主 张三 13812345678|3-2-501|说了什么|结果|时间`: the last two may be left out, the place may be `-`. */
  private async oneLine(tx: StoreTx, staff: Staff, line: string): Promise<string> {
    const t = this.t;
    const fields = line.split(/[|｜]/).map((f) => f.trim());
    const [kindWord = '', whoField = '', placeField = '', saidField = '', resultField = '', whenField = ''] = fields;
    if (fields.length < 4 || fields.length > 6)
      return `${t('contact_record.problem.fields')}\n${t('contact_record.usage')}`;
    const kind = this.wordOf(CONTACT_KINDS, 'kind', kindWord);
    if (!kind) return `${t('contact_record.problem.kind', { word: kindWord })}\n${t('contact_record.usage')}`;
    const [partyWord = '', ...whoWords] = whoField.split(/\s+/);
    const party = this.wordOf(CONTACT_PARTIES, 'party', partyWord);
    if (!party) return `${t('contact_record.problem.party', { word: partyWord })}\n${t('contact_record.usage')}`;
    const who = readWho(whoWords.join(' '));
    if ('problem' in who) return `${t(who.problem, { max: WHO_MAX })}\n${t('contact_record.usage')}`;
    const said = checkText(saidField, 2, TEXT_MAX);
    if (!said.ok) return problemText(t, said);
    const at = whenField ? this.readWhen(whenField) : this.ctx.clock.now();
    if (!at || typeof at === 'string') return t(at ?? 'contact_record.problem.when');
    // Too long is said, as the questions one by one say it; nothing typed is cut off unseen.
    const placeChecked = placeField && placeField !== '-' ? checkText(placeField, 1, PLACE_MAX) : undefined;
    if (placeChecked && !placeChecked.ok) return `${problemText(t, placeChecked)}\n${t('contact_record.usage')}`;
    const resultChecked = resultField ? checkText(resultField, 1, TEXT_MAX) : undefined;
    if (resultChecked && !resultChecked.ok) return `${problemText(t, resultChecked)}\n${t('contact_record.usage')}`;
    const place = placeChecked ? String(placeChecked.value) : undefined;
    const result = resultChecked ? String(resultChecked.value) : undefined;
    return this.save(
      tx,
      {
        kind,
        party,
        who: who.who,
        ...(who.phone ? { phone: who.phone } : {}),
        at: at.toISOString(),
        ...(place ? { place } : {}),
        said: String(said.value),
        ...(result ? { result } : {}),
      },
      staff,
    );
  }

  /** A kind or a kind of customer from its word in either language (走访, visit …). */
  private wordOf<K extends string>(values: readonly K[], group: 'kind' | 'party', word: string): K | undefined {
    const folded = fold(word);
    if (!folded) return undefined;
    return values.find(
      (v) =>
        v === folded ||
        (['zh-CN', 'en'] as const).some((l) => fold(this.ctx.t(l, `contact_record.${group}.${v}`)) === folded),
    );
  }

  private async save(tx: StoreTx, s: ContactState, staff: Staff): Promise<string> {
    if (!s.kind || !s.party || !s.who || !s.at || !s.said) return this.t('intake.problem.incomplete');
    // The owner kept for this number: the one who uses the bot first, else any.
    const owners = s.party === 'owner' && s.phone ? await tx.findOwnersByPhone(s.phone) : [];
    const owner = owners.filter((o) => o.identities.length > 0).at(-1) ?? owners.at(-1);
    const record: ContactRecord = {
      id: this.ctx.newId(),
      kind: s.kind,
      at: new Date(s.at),
      ...(s.place ? { place: s.place } : {}),
      party: s.party,
      who: s.who,
      ...(owner ? { ownerId: owner.id } : {}),
      ...(s.phone ? { phone: s.phone } : {}),
      staff: { id: staff.id, name: staff.displayName },
      said: s.said,
      ...(s.result ? { result: s.result } : {}),
      recordedAt: this.ctx.clock.now(),
    };
    await tx.addContact(record);
    this.ctx.log.info({ kind: record.kind, party: record.party, staff: staff.id }, 'contact recorded');
    return this.t('contact_record.saved', { when: this.when(record.at) });
  }

  /** `/contact list 13812345678 | 张三 | 2026-11`: one owner's records (by phone or name) or a month's. */
  private async list(tx: StoreTx, staff: Staff, arg: string): Promise<string> {
    const t = this.t;
    const key = arg.trim();
    if (!key) return t('contact_record.list_usage');
    const full = staff.role !== 'staff';
    const monthLike = /^\d{4}-\d{1,2}$/.test(key);
    const month = monthLike ? summaryPeriod(key, this.ctx.clock.now(), this.ctx.settings.timeZone) : undefined;
    if (monthLike && !month) return t('contact_record.list_usage');
    if (month) {
      const records = await tx.listContacts({ period: { from: month.from, to: month.to }, limit: 500 });
      if (records.length === 0) return t('contact_record.none_month', { month: month.label });
      const groups = CONTACT_PARTIES.map((p) => [p, records.filter((r) => r.party === p)] as const).filter(
        ([, rs]) => rs.length > 0,
      );
      return [
        t('contact_record.month_title', { month: month.label, count: records.length }),
        ...groups.flatMap(([party, rs]) => [
          `【${t(`contact_record.party.${party}`)}】${rs.length}`,
          ...rs.slice(0, LIST_MAX).map((r) => this.line(r, full)),
        ]),
      ].join('\n');
    }
    const phone = checkPhone(key);
    const query: ContactQuery = phone.ok ? { phone: String(phone.value) } : { who: key };
    const records = await tx.listContacts({ ...query, limit: LIST_MAX });
    const shown = phone.ok ? maskPhone(String(phone.value)) : full ? key : maskName(key);
    if (records.length === 0) return t('contact_record.none_owner', { who: shown });
    return [
      t('contact_record.owner_title', { who: shown, count: records.length }),
      ...records.map((r) => this.line(r, full)),
    ].join('\n');
  }

  private when(at: Date): string {
    return formatNoticeTime(at, this.ctx.staffLocale, this.ctx.settings.timeZone);
  }

  /** One record on one line: when · how · who · where · staff: what was said → result. */
  private line(r: ContactRecord, full: boolean): string {
    const t = this.t;
    const who = `${t(`contact_record.party.${r.party}`)} ${full ? r.who : maskName(r.who)}${r.phone ? ` ${full ? r.phone : maskPhone(r.phone)}` : ''}`;
    return [
      `• ${this.when(r.at)}`,
      t(`contact_record.kind.${r.kind}`),
      who,
      ...(r.place ? [r.place] : []),
      `${r.staff.name}${labelColon(this.ctx.staffLocale)}${r.said}${r.result ? ` → ${t('contact_record.result', { result: r.result })}` : ''}`,
    ].join(' · ');
  }

  /** The read-back's lines (the staff member sees what they typed in full). */
  private lines(s: ContactState, full: boolean): string {
    const t = this.t;
    const field = (key: string, value: string) =>
      `${t(`contact_record.field.${key}`)}${labelColon(this.ctx.staffLocale)}${value}`;
    return [
      field('kind', s.kind ? t(`contact_record.kind.${s.kind}`) : '—'),
      field(
        'who',
        `${s.party ? t(`contact_record.party.${s.party}`) : ''} ${s.who ?? '—'}${s.phone ? ` ${full ? s.phone : maskPhone(s.phone)}` : ''}`,
      ),
      field('when', s.at ? this.when(new Date(s.at)) : '—'),
      field('place', s.place ?? '—'),
      field('said', s.said ?? '—'),
      field('result', s.result ?? '—'),
    ].join('\n');
  }
}

/** The person or body met, and a phone number typed after the name (`张三 13812345678`). */
function readWho(typed: string): { who: string; phone?: string } | { problem: string } {
  const words = typed.trim().split(/\s+/).filter(Boolean);
  const last = words.at(-1);
  const phone = last && /\d{5,}/.test(last) ? checkPhone(last) : undefined;
  if (phone && !phone.ok) return { problem: 'intake.problem.phone' };
  const name = (phone ? words.slice(0, -1) : words).join(' ');
  const checked = checkText(name, 1, WHO_MAX);
  if (!checked.ok)
    return {
      problem: checked.error === 'input.too_long' ? 'contact_record.problem.who_long' : 'contact_record.problem.who',
    };
  return { who: String(checked.value), ...(phone?.ok ? { phone: String(phone.value) } : {}) };
}

/** A name as staff who are not supervisors see it: its first character, the rest hidden (张三 → 张*). */
function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 3))}`;
}
