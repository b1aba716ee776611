/**
 * The evaluation (issue 14): the frozen test set (test/fixtures/understand/test.json, written apart from
 * the rules and never trained on) is held at the figures below, and the measuring itself is checked on
 * made-up readings. `npm run eval` prints the figures per set; it never prints the frozen set's misses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { loadTrainingData, loadUnderstandModel } from '../../../src/adapters/ai/model-file.js';
import { runEval } from '../../../src/cli/eval.js';
import {
  evaluate,
  evaluateReadings,
  type Reading,
  sameLocation,
  TARGETS,
} from '../../../src/core/understand/evaluate.js';
import { type LabelledMessage, labelledSetSchema } from '../../../src/core/understand/labels.js';

const TEST_SET = 'test/fixtures/understand/test.json';

/**
 * The floors the frozen set is held at, set from `npm run eval -- test/fixtures/understand/test.json
 * --summary` (fourth round, 2026-12-07, after tuning on dev … dev-4 with dev-4 measured first; read once):
 * recall 1.0 (present + unclear; present alone 0.756), false alarms 0.018, unclear on non-emergencies
 * 0.053, intent 0.909, kind 0.907, category 0.932. Every figure meets the targets ({@link TARGETS})
 * and is held at them.
 */
const FLOORS = {
  emergencyRecall: TARGETS.emergencyRecall,
  falseAlarmRate: TARGETS.falseAlarmRate,
  unclearRate: TARGETS.unclearRate,
  intent: TARGETS.intent,
  category: TARGETS.category,
  kind: TARGETS.kind,
};

describe('the frozen test set', () => {
  const messages = labelledSetSchema.parse(JSON.parse(readFileSync(TEST_SET, 'utf8')));
  const keywords = loadKeywords();

  it('is never trained on', () => {
    const trained = new Set(loadTrainingData().messages.map((m) => m.text));
    expect(messages.filter((m) => trained.has(m.text)).length).toBe(0);
  });

  it('is read at the floors reached (the targets of issue 14 are in TARGETS)', () => {
    const r = evaluate(messages, {
      keywords,
      model: loadUnderstandModel(keywords),
      emergencyRules: loadEmergencyRules(),
    });
    const figures = { ...r.accuracy, emergency: r.emergency };
    expect(figures.emergency.recall).toBeGreaterThanOrEqual(FLOORS.emergencyRecall);
    expect(figures.emergency.falseAlarmRate).toBeLessThanOrEqual(FLOORS.falseAlarmRate);
    expect(figures.emergency.unclearRate).toBeLessThanOrEqual(FLOORS.unclearRate);
    expect(figures.intent).toBeGreaterThanOrEqual(FLOORS.intent);
    expect(figures.category).toBeGreaterThanOrEqual(FLOORS.category);
    expect(figures.kind).toBeGreaterThanOrEqual(FLOORS.kind);
    expect(TARGETS.intent).toBe(0.9);
  });
});

const msg = (m: Partial<LabelledMessage> & { text: string }): LabelledMessage => ({ locale: 'zh-CN', ...m });
const reading = (r: Partial<Reading>): Reading => ({
  intent: 'report',
  verdict: 'none',
  kind: 'repair',
  category: 'other',
  urgency: 'normal',
  ...r,
});

describe('evaluateReadings', () => {
  const messages: LabelledMessage[] = [
    msg({ text: 'a', kind: 'repair', category: 'lift', urgency: 'emergency' }),
    msg({ text: 'b', intent: 'emergency', kind: 'repair', category: 'fire_equipment', urgency: 'emergency' }),
    msg({ text: 'c', intent: 'enquiry' }),
    msg({ text: 'd', intent: 'report', kind: 'complaint', category: 'cleaning', urgency: 'normal' }),
    msg({ text: 'e', intent: 'thanks', locale: 'en' }),
  ];
  const readings: Reading[] = [
    reading({ intent: 'emergency', verdict: 'present', category: 'lift', urgency: 'emergency' }),
    reading({ verdict: 'unclear', category: 'fire_equipment' }),
    reading({ intent: 'report', verdict: 'present' }),
    reading({ kind: 'repair', category: 'cleaning' }),
    reading({ intent: 'thanks', verdict: 'unclear' }),
  ];
  const r = evaluateReadings(messages, readings);

  it('reads an item without intent as a report or an emergency by its urgency, and measures reports apart', () => {
    expect(r.total).toBe(5);
    expect(r.reports).toBe(3);
    expect(r.accuracy.intent).toBe(0.6);
    expect(r.accuracy.category).toBe(1);
    expect(r.accuracy.kind).toBe(0.667);
    expect(r.accuracy.urgency).toBe(0.667);
  });

  it('counts recall on present and unclear verdicts (present alone apart), false alarms and unclear over non-emergencies', () => {
    expect(r.emergency).toMatchObject({ labelled: 2, caught: 1, unclear: 1, recall: 1, presentRecall: 0.5 });
    expect(r.emergency).toMatchObject({ falseAlarms: 1, falseAlarmRate: 0.333 });
    expect(r.emergency).toMatchObject({ unclearNonEmergencies: 1, unclearRate: 0.333 });
    const missed = evaluateReadings(messages.slice(1, 2), [reading({ verdict: 'none' })]);
    expect(missed.emergency).toMatchObject({ recall: 0, presentRecall: 0 });
  });

  it('lists the commonest confusions and every miss', () => {
    expect(r.confusions.intent).toEqual([
      { expected: 'emergency', got: 'report', count: 1 },
      { expected: 'enquiry', got: 'report', count: 1 },
    ]);
    expect(r.confusions.kind).toEqual([{ expected: 'complaint', got: 'repair', count: 1 }]);
    expect(r.misses.filter((m) => m.field === 'emergency').map((m) => m.text)).toEqual(['b', 'c']);
  });
});

describe('npm run eval', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runEval(argv, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };

  it('prints the figures of any labelled file as JSON with --summary', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'eval-')), 'ours.json');
    const ours: LabelledMessage[] = [
      { text: '3栋电梯坏了', locale: 'zh-CN', kind: 'repair', category: 'lift', urgency: 'urgent' },
      { text: '你们办公时间是几点', locale: 'zh-CN', intent: 'enquiry' },
      {
        text: 'the corridor light on floor 5 is out',
        locale: 'en',
        kind: 'repair',
        category: 'public_facilities',
        urgency: 'normal',
      },
    ];
    writeFileSync(file, JSON.stringify(ours));
    const { out } = await run([file, '--summary']);
    const figures = JSON.parse(out);
    expect(figures.total).toBe(3);
    expect(figures.accuracy).toHaveProperty('intent');
    expect(figures).not.toHaveProperty('misses');
  }, 30_000);

  it('names the message and the field of a label out of the schema, in one line, without its text', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'eval-')), 'wrong.json');
    const flat = { kind: 'unit', building: '3' }; // a flat without its room
    writeFileSync(
      file,
      JSON.stringify([
        { text: '电梯坏了', locale: 'zh-CN', intent: 'greeting' },
        { text: '秘密的话', locale: 'zh-CN', kind: 'repair', category: 'lift', urgency: 'normal', location: flat },
      ]),
    );
    const { code, out, err } = await run([file]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.startsWith(`eval: ${file}: not in the label schema: message 2 location.room: `)).toBe(true);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).not.toContain('秘密的话');
  }, 60_000);

  // It trains the model five times over (about 15 s alone on two cores): the time limit is for a loaded machine.
  it('measures a set the model learned from by 5-fold cross-validation, never on what it was trained on', async () => {
    const { out } = await run(['test/fixtures/eval-messages.json']);
    expect(out).toContain('eval-messages.json, 5-fold cross-validated (trained on): 282 messages');
  }, 120_000);

  it('never prints a message of the frozen test set', async () => {
    const { out } = await run([TEST_SET]);
    const texts = labelledSetSchema.parse(JSON.parse(readFileSync(TEST_SET, 'utf8'))).map((m) => m.text);
    expect(out).toContain('test.json');
    expect(texts.filter((t) => out.includes(t))).toEqual([]);
  }, 30_000);
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
