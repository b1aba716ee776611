/**
 * An owner's free text at the menu is read by the emergency rules once: the verdict the assistant gives first
 * (before anything else, never waiting on a model) goes back with the text when the rest of it is read, so the
 * reading of the message does not run the rules' patterns a second time. Counted on the patterns themselves.
 */
import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../src/adapters/ai/emergency-file.js';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { loadUnderstandModel } from '../../src/adapters/ai/model-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { type EmergencyRules, readEmergency } from '../../src/core/understand/emergency.js';
import { makeHarness } from '../support/harness.js';

/** How many times the rules' patterns ran (each search, found or not). */
let runs = 0;

/** A pattern that counts its runs: matchAll, replace and exec all search through exec. */
class CountedPattern extends RegExp {
  override exec(text: string): RegExpExecArray | null {
    runs++;
    return super.exec(text);
  }
}

/** The rules with every pattern counted. */
function counted(rules: EmergencyRules): EmergencyRules {
  const each = (list: readonly RegExp[]) => list.map((re) => new CountedPattern(re.source, re.flags));
  const rule = <R extends { patterns: RegExp[] }>(r: R): R => ({ ...r, patterns: each(r.patterns) });
  return {
    ...rules,
    ignore: rules.ignore.map(rule),
    cues: rules.cues.map(rule),
    guards: rules.guards.map(rule),
    urgent: each(rules.urgent),
    now: each(rules.now),
  };
}

const keywords = loadKeywords();
const rules = counted(loadEmergencyRules());
const assistant = new OfflineAssistant(keywords, rules, loadUnderstandModel(keywords, undefined, rules));

/** The pattern runs of one reading of the text by the rules: the verdict and the guards. */
function oneReading(text: string): number {
  runs = 0;
  readEmergency(text, rules);
  return runs;
}

describe('an owner’s free text at the menu', () => {
  it.each([
    ['an emergency', '电梯里有人被困了，快来人', '119'],
    ['a report', '楼上漏水到我家卫生间了，3栋2单元501', '怎么称呼'],
    ['a report in English', 'The kitchen tap is leaking under the sink', '在什么位置'],
  ])('is read by the emergency rules once: %s', async (_, text, answered) => {
    const h = await makeHarness({ assistant });
    await h.send('/start');
    runs = 0;
    const { texts } = await h.send(text);
    const path = runs;
    // The message went the way it goes (the emergency path, a report's next question).
    expect(texts.join('\n')).toContain(answered);
    expect(path).toBeGreaterThan(0);
    expect(path).toBe(oneReading(text));
  });
});
