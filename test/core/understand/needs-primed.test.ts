/**
 * The analysis of the rules' patterns kept in the content snapshot (needsTable) and given back at a start
 * (primeNeeds): what the first owner text then uses instead of parsing every pattern again.
 */
import { describe, expect, it } from 'vitest';
import { loadEmergencyRules } from '../../../src/adapters/ai/emergency-file.js';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { analyse, mayMatch, needsOf, needsTable, primeNeeds } from '../../../src/core/understand/needs.js';

describe('the analysis kept for a start', () => {
  it('holds every pattern of the emergency rules and the keyword lists, as analyse reads it', () => {
    const rules = loadEmergencyRules();
    const keywords = loadKeywords();
    const table = new Map(needsTable(rules, keywords));
    const patterns = [
      ...rules.cues.flatMap((c) => c.patterns),
      ...rules.guards.flatMap((g) => g.patterns),
      ...rules.ignore.flatMap((i) => i.patterns),
      ...rules.urgent,
      ...rules.now,
    ];
    expect(patterns.length).toBeGreaterThan(200);
    for (const re of patterns) {
      const needs = analyse(re.source, re.flags);
      expect(table.get(`${re.flags}/${re.source}`)).toEqual(needs === undefined ? null : [...needs]);
    }
    expect(table.size).toBeGreaterThan(1500); // the keyword lists' patterns too
  });

  it('is what a pattern first used after priming is taken to need, without analysing it again', () => {
    // A table that says something analyse would not (the pattern needs 水, not 火): the table wins.
    const re = /火灾/u;
    primeNeeds(() => [[`${re.flags}/${re.source}`, ['水'.codePointAt(0) as number]]]);
    expect([...(needsOf(re) ?? [])]).toEqual(['水'.codePointAt(0)]);
    expect(mayMatch(re, '着火了')).toBe(false);
    // A pattern the table does not hold is analysed as before.
    const other = /漏水/u;
    expect([...(needsOf(other) ?? [])].sort()).toEqual([...(analyse(other.source, other.flags) ?? [])].sort());
  });
});
