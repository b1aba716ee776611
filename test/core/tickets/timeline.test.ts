import { describe, expect, it } from 'vitest';
import { timelineText } from '../../../src/app/render.js';
import type { Ticket, TimelineEvent } from '../../../src/core/tickets/ticket.js';
import {
  legacyDetail,
  parseTimelineDetail,
  TIMELINE_DETAIL_EXAMPLES,
  timelineDetailText,
  timelineNoteText,
} from '../../../src/core/tickets/timeline.js';
import { LOCALES, type Locale } from '../../../src/core/types.js';
import { createI18n, readLocales } from '../../../src/i18n.js';

const i18n = createI18n(readLocales('locales'));
/** A translator that fails on a key missing in either language. */
const tOf = (locale: Locale) => (key: string, params?: Record<string, string | number>) => {
  if (!i18n.has(key)) throw new Error(`missing key ${key}`);
  return i18n.translate(locale, key, params);
};
const zh = tOf('zh-CN');
const en = tOf('en');
const AT = new Date('2026-11-28T02:00:00Z');
const SYSTEM = { type: 'system' } as const;

describe('timeline codes', () => {
  it('render every code in both languages, with no English sentence in the Chinese text', () => {
    for (const detail of TIMELINE_DETAIL_EXAMPLES) {
      for (const locale of LOCALES) {
        const text = timelineDetailText(detail, tOf(locale));
        expect(text, `${detail.code} ${locale}`).not.toMatch(/{{|}}|^desk\./);
      }
      expect(timelineDetailText(detail, zh), detail.code).not.toMatch(/\b(asked|reminded|round|another time)\b/);
    }
    expect(timelineDetailText({ code: 'revisit.contact', step: 'asked' }, zh)).toBe(zh('desk.note.revisit_asked'));
    expect(timelineDetailText({ code: 'sla.checkpoint', phase: 'resolve', percent: 80 }, zh)).toBe('处理完成 80%');
    expect(timelineDetailText({ code: 'sla.checkpoint', phase: 'resolve', percent: 80 }, en)).toBe('resolution 80%');
  });

  it('read back as stored (JSON and structuredClone), and refuse a shape that is not one of them', () => {
    for (const detail of TIMELINE_DETAIL_EXAMPLES) {
      expect(parseTimelineDetail(JSON.parse(JSON.stringify(detail)))).toEqual(detail);
      expect(parseTimelineDetail(structuredClone(detail))).toEqual(detail);
    }
    for (const bad of [
      undefined,
      'sla.checkpoint',
      { code: 'sla.checkpoint', phase: 'lunch', percent: 80 },
      { code: 'sla.checkpoint', phase: 'accept', percent: '80' },
      { code: 'emergency.repeat', round: -1 },
      { code: 'revisit.contact', step: 'shouted' },
      { code: 'answer.late', asked: 'plan', question: 'x', answer: 'maybe' },
      { code: 'something.new' },
    ]) {
      expect(parseTimelineDetail(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('render old entries (English sentences in note) as before, in the reader language', () => {
    const old = (action: TimelineEvent['action'], note: string): TimelineEvent => ({
      at: AT,
      actor: SYSTEM,
      action,
      note,
    });
    expect(legacyDetail(old('reminder', 'accept 50%'))).toEqual({
      code: 'sla.checkpoint',
      phase: 'accept',
      percent: 50,
    });
    expect(timelineNoteText(old('escalation', 'emergency not accepted, round 2'), zh, undefined, 'zh-CN')).toBe(
      zh('desk.note.emergency_round', { round: 2 }),
    );
    expect(timelineNoteText(old('revisit', 'asked'), zh, undefined, 'zh-CN')).toBe(zh('desk.note.revisit_asked'));
    expect(timelineNoteText(old('note', 'another time: 周末'), zh, undefined, 'zh-CN')).toBe(
      zh('desk.note.appointment_change', { comment: '周末' }),
    );
    expect(timelineNoteText(old('close', 'no response to the revisit'), en, undefined, 'en')).toBe(
      en('desk.note.revisit_no_response'),
    );
    expect(timelineNoteText(old('note', 'emergency: gas'), zh, undefined, 'zh-CN')).toContain(
      zh('emergency.option.what.gas'),
    );
    // What people typed stays their words, even when it looks like a code's sentence in another action.
    const typed: TimelineEvent = {
      at: AT,
      actor: { type: 'staff', id: 's', name: '李' },
      action: 'note',
      note: '已上门',
    };
    expect(timelineNoteText(typed, zh, undefined, 'zh-CN')).toBe('已上门');
    expect(timelineNoteText({ ...typed, note: 'asked' }, zh, undefined, 'zh-CN')).toBe('asked');
    // A damaged or newer code falls back to the note, never misread.
    expect(
      timelineNoteText({ ...typed, detail: { code: 'from.the.future' } as never, note: 'x' }, zh, undefined, 'zh-CN'),
    ).toBe('x');
  });

  it('shows a timeline with old and new entries in Chinese without English', () => {
    const ticket = {
      number: 'T261128-0001',
      timeline: [
        { at: AT, actor: { type: 'owner', id: 'o' }, action: 'create', to: 'recorded' },
        { at: AT, actor: SYSTEM, action: 'revisit', note: 'asked', data: { contact: true } },
        { at: AT, actor: SYSTEM, action: 'revisit', detail: { code: 'revisit.contact', step: 'reminded' } },
        { at: AT, actor: SYSTEM, action: 'reminder', detail: { code: 'sla.checkpoint', phase: 'accept', percent: 80 } },
        { at: AT, actor: SYSTEM, action: 'escalation', note: 'resolve 100%' },
      ],
    } as unknown as Ticket;
    const text = timelineText(ticket, zh, 'Asia/Shanghai');
    expect(text).not.toMatch(/[a-z]{3,}/);
    expect(text).toContain(`系统：${zh('desk.event.revisit')}「${zh('desk.note.revisit_asked')}」`);
    expect(text).toContain(`「${zh('desk.phase.accept')} 80%」`);
    expect(text).toContain(`「${zh('desk.phase.resolve')} 100%」`);
  });
});

describe('a judgement on the timeline', () => {
  it("is written with the reader's punctuation: Chinese for a Chinese desk, ': ' and '; ' for an English one", () => {
    const judged: TimelineEvent = {
      at: AT,
      actor: { type: 'staff', id: 'a', name: '王师傅' },
      action: 'judge',
      data: { urgency: 'urgent', category: 'water_power' },
    };
    const chinese = timelineNoteText(judged, zh, undefined, 'zh-CN');
    expect(chinese).toBe(
      `${zh('card.urgency')}：${zh('ticket.urgency.urgent')}；${zh('card.category')}：${zh('ticket.category.water_power')}`,
    );
    const english = timelineNoteText(judged, en, undefined, 'en');
    expect(english).toBe(
      `${en('card.urgency')}: ${en('ticket.urgency.urgent')}; ${en('card.category')}: ${en('ticket.category.water_power')}`,
    );
  });
});
