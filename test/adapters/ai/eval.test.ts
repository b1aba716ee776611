/**
 * The offline classifier against the hand-labelled evaluation set (test/fixtures/eval-messages.json):
 * category accuracy is held at 85% or more, and every labelled emergency is caught.
 * `npm run eval` prints the full figures and every miss.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { CATEGORIES } from '../../../src/core/types.js';
import { evalSetSchema, evaluate, sameLocation } from '../../../src/core/understand/evaluate.js';

const messages = evalSetSchema.parse(JSON.parse(readFileSync('test/fixtures/eval-messages.json', 'utf8')));
const report = evaluate(messages, loadKeywords());

describe('the evaluation set', () => {
  it('has at least 150 labelled messages in both languages, several per category, a dozen emergencies', () => {
    expect(messages.length).toBeGreaterThanOrEqual(150);
    expect(report.byLocale['zh-CN']).toBeGreaterThanOrEqual(100);
    expect(report.byLocale.en).toBeGreaterThanOrEqual(50);
    for (const c of CATEGORIES) expect(messages.filter((m) => m.category === c).length).toBeGreaterThanOrEqual(5);
    expect(report.emergency.labelled).toBeGreaterThanOrEqual(12);
    expect(new Set(messages.map((m) => m.text)).size).toBe(messages.length);
  });
});

describe('the offline classifier on the evaluation set', () => {
  it('gets the category right at least 85% of the time, in each language too', () => {
    expect(report.accuracy.category).toBeGreaterThanOrEqual(0.85);
    expect(report.categoryByLocale['zh-CN']).toBeGreaterThanOrEqual(0.85);
    expect(report.categoryByLocale.en).toBeGreaterThanOrEqual(0.85);
  });

  it('catches every labelled emergency', () => {
    expect(report.emergency.missed).toEqual([]);
    expect(report.emergency.caught).toBe(report.emergency.labelled);
  });

  it('raises no false emergency on the set', () => {
    expect(report.emergency.falseAlarms).toEqual([]);
  });

  it('keeps kind, urgency and place readings where they stand (guards against regressions)', () => {
    expect(report.accuracy.kind).toBeGreaterThanOrEqual(0.8);
    expect(report.accuracy.urgency).toBeGreaterThanOrEqual(0.85);
    expect(report.accuracy.location).toBeGreaterThanOrEqual(0.9);
  });
});

describe('sameLocation (how places are compared)', () => {
  it('compares flats exactly and public areas by containment', () => {
    const f = { kind: 'unit' as const, building: '3', unit: '2', room: '501' };
    expect(sameLocation(f, { ...f })).toBe(true);
    expect(sameLocation(f, { kind: 'unit', building: '3', room: '501' })).toBe(false);
    expect(
      sameLocation({ kind: 'public', description: '地下车库B区' }, { kind: 'public', description: '地下车库' }),
    ).toBe(true);
    expect(sameLocation({ kind: 'public', description: '东门' }, { kind: 'public', description: '北门' })).toBe(false);
    expect(sameLocation(undefined, undefined)).toBe(true);
    expect(sameLocation(undefined, { kind: 'public', description: '楼道' })).toBe(false);
  });
});
