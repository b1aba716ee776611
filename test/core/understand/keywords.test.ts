import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEFAULT_KEYWORDS_PATH, loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { CATEGORIES } from '../../../src/core/types.js';
import {
  compileKeywords,
  compileWord,
  foldForMatch,
  KeywordsError,
  matchTerms,
  parseKeywords,
} from '../../../src/core/understand/keywords.js';

const source = readFileSync(DEFAULT_KEYWORDS_PATH, 'utf8');
/** The parts of the keyword document the tests break on purpose. */
interface Doc {
  version: number;
  colour?: string;
  categories: Record<string, { terms: unknown[] } | undefined>;
  kinds: Record<string, unknown>;
  urgency: Record<string, unknown>;
}
const doc = () => parse(source) as Doc;

function problemsOf(d: unknown): string[] {
  try {
    compileKeywords(d);
  } catch (error) {
    expect(error).toBeInstanceOf(KeywordsError);
    return (error as KeywordsError).problems;
  }
  throw new Error('expected the keyword file to be refused');
}

describe('flows/keywords.yaml', () => {
  it('is valid and covers every category in both languages', () => {
    const k = parseKeywords(source);
    for (const c of CATEGORIES) {
      expect(k.categories[c].label['zh-CN']).toBeTruthy();
      expect(k.categories[c].label.en).toBeTruthy();
      if (c !== 'other') {
        expect(k.categories[c].terms.some((t) => /[\u4e00-\u9fff]/.test(t.source))).toBe(true);
        expect(k.categories[c].terms.some((t) => /^[\x20-\x7e]+$/.test(t.source))).toBe(true);
      }
    }
    expect(k.urgency.emergency.length).toBeGreaterThan(20);
    expect(k.kinds.complaint.length).toBeGreaterThan(0);
    expect(k.kinds.suggestion.length).toBeGreaterThan(0);
  });
});

describe('a broken keyword file is refused with every problem named', () => {
  it('a missing category', () => {
    const d = doc();
    delete d.categories.lift;
    expect(problemsOf(d).join('\n')).toMatch(/categories\.lift/);
  });

  it('an unknown category or key', () => {
    const d = doc();
    d.categories.plumbing = d.categories.lift;
    d.colour = 'blue';
    const problems = problemsOf(d).join('\n');
    expect(problems).toMatch(/plumbing/);
    expect(problems).toMatch(/colour/);
  });

  it('a pattern that does not compile, and a category with no words', () => {
    const d = doc();
    d.categories.lift = { ...d.categories.lift, terms: [{ weight: 2, patterns: ['电梯(('] }] };
    d.categories.greening = { ...d.categories.greening, terms: [] };
    const problems = problemsOf(d);
    expect(problems.some((p) => p.includes('categories.lift') && p.includes('does not compile'))).toBe(true);
    expect(problems.some((p) => p.includes('categories.greening') && p.includes('no words'))).toBe(true);
  });

  it('no emergency words at all', () => {
    const d = doc();
    d.urgency.emergency = [];
    expect(problemsOf(d).join('\n')).toMatch(/urgency\.emergency/);
  });

  it('a weight out of range, an empty word, a wrong version', () => {
    const d = doc();
    d.version = 2;
    d.kinds.complaint = [{ weight: 99, words: ['投诉', ''] }];
    const problems = problemsOf(d).join('\n');
    expect(problems).toMatch(/version/);
    expect(problems).toMatch(/kinds\.complaint\.0\.weight/);
    expect(problems).toMatch(/kinds\.complaint\.0\.words\.1/);
  });

  it('text that is not YAML', () => {
    expect(() => parseKeywords('categories: [unclosed')).toThrow(KeywordsError);
  });

  it('a file that cannot be read or is broken, named by its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-'));
    expect(() => loadKeywords(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot be read/);
    const d = doc();
    delete d.categories.fees;
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, stringify(d));
    try {
      loadKeywords(file);
      expect.unreachable();
    } catch (error) {
      expect((error as KeywordsError).problems.some((p) => p.startsWith(file) && p.includes('categories.fees'))).toBe(
        true,
      );
    }
  });
});

describe('matching rules', () => {
  const hit = (word: string, text: string) => compileWord(word).test(foldForMatch(text));

  it('matches Chinese words anywhere', () => {
    expect(hit('电梯', '2号楼电梯坏了')).toBe(true);
  });

  it('matches English words whole and case-insensitively', () => {
    expect(hit('gas', 'I smell GAS')).toBe(true);
    expect(hit('gas', 'we went to Las Vegas')).toBe(false);
    expect(hit('fee', 'I feel cold')).toBe(false);
    expect(hit('power cut', 'a  power\tcut again')).toBe(true);
  });

  it('lets a trailing * run on', () => {
    expect(hit('leak*', 'it is leaking')).toBe(true);
    expect(hit('leak*', 'leaks')).toBe(true);
    expect(hit('leak*', 'bleak')).toBe(false);
  });

  it('folds full-width forms before matching', () => {
    expect(hit('3-2-501', '３－２－５０１')).toBe(true);
  });

  it('counts a word inside a longer word of the same list once', () => {
    const k = parseKeywords(source);
    const found = matchTerms(foldForMatch('消防通道被堵了'), k.categories.fire_equipment.terms).map((t) => t.source);
    expect(found).toContain('消防通道');
    expect(found).not.toContain('消防');
    const both = matchTerms(foldForMatch('消防通道被堵了，消防栓也坏了'), k.categories.fire_equipment.terms).map(
      (t) => t.source,
    );
    expect(both).toEqual(expect.arrayContaining(['消防通道', '消防栓']));
  });
});
