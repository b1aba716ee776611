import { describe, expect, it } from 'vitest';
import { loadQuestionnaires } from '../../../src/adapters/content/questionnaires-file.js';
import { loadFlows } from '../../../src/app/flows-loader.js';
import { parseSurveyButton, surveyButtonData } from '../../../src/app/surveys/buttons.js';
import {
  CALLBACK_MAX_BYTES,
  CallbackDataError,
  callbackBytes,
  DESK_BUTTON_ACTIONS,
  decodeOwnerButton,
  decodeStaffButton,
  encodeOwnerButton,
  encodeStaffButton,
  isStaffButtonData,
  type StaffButton,
  SURVEY_BUTTON_ACTIONS,
} from '../../../src/core/protocol/buttons.js';
import { compileQuestionnaire } from '../../../src/core/surveys/questionnaire.js';
import { CATEGORIES, RESPONSIBILITIES, URGENCIES } from '../../../src/core/types.js';

/** The longest ticket number a store can hand out in practice (8-digit daily sequence). */
const LONG_TICKET = 'T991231-99999999';
const UUID = '123e4567-e89b-12d3-a456-426614174000';

function everyStaffButton(number: string): StaffButton[] {
  return [
    ...DESK_BUTTON_ACTIONS.map((action) => ({ type: 'action' as const, action, number })),
    ...URGENCIES.map((value) => ({ type: 'judge' as const, number, choice: { field: 'urgency' as const, value } })),
    ...RESPONSIBILITIES.map((value) => ({
      type: 'judge' as const,
      number,
      choice: { field: 'responsibility' as const, value },
    })),
    ...CATEGORIES.map((value) => ({ type: 'judge' as const, number, choice: { field: 'category' as const, value } })),
    { type: 'judge_menu', number, menu: 'category' },
    { type: 'judge_menu', number, menu: 'done' },
    { type: 'handover', number, staffId: UUID },
    { type: 'handover', number, staffId: 'console:owner' },
    ...SURVEY_BUTTON_ACTIONS.map((action) => ({ type: 'survey' as const, action, campaignId: 'S999999' })),
  ];
}

describe('staff buttons', () => {
  it('round-trip every shape, each within Telegram’s 64 bytes', () => {
    for (const button of [...everyStaffButton('T261128-0007'), ...everyStaffButton(LONG_TICKET)]) {
      const data = encodeStaffButton(button);
      expect(callbackBytes(data), data).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
      expect(isStaffButtonData(data)).toBe(true);
      expect(decodeStaffButton(data), data).toEqual(button);
    }
  });

  it('keep the wire format of buttons already in chats', () => {
    expect(encodeStaffButton({ type: 'action', action: 'accept', number: 'T261128-0007' })).toBe(
      's|accept|T261128-0007',
    );
    expect(decodeStaffButton('s|ju|T261128-0007|urgent')).toEqual({
      type: 'judge',
      number: 'T261128-0007',
      choice: { field: 'urgency', value: 'urgent' },
    });
    expect(surveyButtonData('preview', 'S001')).toBe('s|svp|S001');
    expect(parseSurveyButton('s|svr|S012')).toEqual({ action: 'report', campaignId: 'S012' });
  });

  it('refuse anything malformed: callback data is a claim', () => {
    for (const data of [
      '',
      's',
      's|',
      's|accept',
      's|accept|',
      's|accept|T261128-0007|extra',
      's|accept|261128-0007',
      's|accept|T261128-0007 ',
      's|fly|T261128-0007',
      's|ju|T261128-0007|whenever',
      's|jr|T261128-0007',
      's|jc|T261128-0007|repair|x',
      's|jx|T261128-0007|x',
      's|hto|T261128-0007',
      's|hto|T261128-0007|a b',
      's|svp|T261128-0007',
      's|svp|S1',
      's|svs|S001|x',
      'x|accept|T261128-0007',
      `s|hto|T261128-0007|${'a'.repeat(60)}`,
      '3:o.repair',
    ]) {
      expect(decodeStaffButton(data), data).toBeUndefined();
      expect(parseSurveyButton(data), data).toBeUndefined();
    }
  });

  it('refuse to encode data that would not come back whole', () => {
    expect(() =>
      encodeStaffButton({ type: 'handover', number: LONG_TICKET, staffId: 'x'.repeat(CALLBACK_MAX_BYTES) }),
    ).toThrow(CallbackDataError);
  });
});

describe('owner buttons', () => {
  it('round-trip and refuse malformed data', () => {
    expect(encodeOwnerButton({ seq: 12, value: 'o.repair' })).toBe('12:o.repair');
    expect(decodeOwnerButton('12:o.repair')).toEqual({ seq: 12, value: 'o.repair' });
    expect(decodeOwnerButton(`7:t.${UUID}`)).toEqual({ seq: 7, value: `t.${UUID}` });
    for (const data of [
      '',
      '12',
      '12:',
      ':o.repair',
      'a:o.repair',
      '12:o repair',
      's|accept|T261128-0007',
      `1:${'o'.repeat(64)}`,
    ]) {
      expect(decodeOwnerButton(data), data).toBeUndefined();
    }
    expect(() => encodeOwnerButton({ seq: 1, value: `o.${'x'.repeat(70)}` })).toThrow(CallbackDataError);
  });

  it('fit for every value the real flows and questionnaires offer, at a very late question number', () => {
    const flows = loadFlows('flows', () => true);
    const specs = [
      ...flows.flows.values(),
      ...[...loadQuestionnaires('flows/surveys').values()].map((q) => compileQuestionnaire(q).flow),
    ];
    const values = new Set<string>([`t.${UUID}`, `x.${UUID}`, 'l.zh-CN', 'place_retype', 'resume', 'menu']);
    for (const e of flows.menu.entries) values.add(`m.${e.id}`);
    for (const spec of specs) {
      for (const s of spec.steps) {
        values.add(`f.${s.id}`);
        const options = (s.answer as { options?: string[] }).options ?? [];
        for (const o of options) values.add(`o.${o}`);
      }
    }
    expect(values.size).toBeGreaterThan(20);
    for (const value of values) {
      const data = encodeOwnerButton({ seq: 999_999_999, value });
      expect(callbackBytes(data), data).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
      expect(decodeOwnerButton(data), data).toEqual({ seq: 999_999_999, value });
    }
  });
});
