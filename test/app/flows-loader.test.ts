import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowError, loadFlows } from '../../src/app/flows-loader.js';
import { createI18n, readLocales } from '../../src/i18n.js';

const i18n = createI18n(readLocales('locales'));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary flows directory holding exactly these files. */
function flowsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'residesk-flows-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Runs the loader and returns the FlowError it throws (fails the test when it does not throw one). */
function problemsOf(dir: string, hasKey: (key: string) => boolean = i18n.has): string[] {
  try {
    loadFlows(dir, hasKey);
  } catch (error) {
    expect(error).toBeInstanceOf(FlowError);
    const flowError = error as FlowError;
    expect(flowError.code).toBe('FLOW_INVALID');
    for (const p of flowError.problems) expect(flowError.message).toContain(p);
    return flowError.problems;
  }
  throw new Error('loadFlows did not throw');
}

/** Keys used by the fixtures below; all exist in the shipped locales. */
const MENU = `entries:
  - id: repair
    label: menu.repair
    flow: good
    aliases: [/repair]
`;

const GOOD = `id: good
version: 1
steps:
  - id: description
    ask: complaint.ask.description
    label: complaint.field.description
    answer: { kind: text, min: 4 }
  - id: phone
    ask: complaint.ask.phone
    label: complaint.field.phone
    answer: { kind: phone }
`;

describe('loadFlows', () => {
  it('loads the shipped flows and menu', () => {
    const registry = loadFlows('flows', i18n.has);
    expect([...registry.flows.keys()].sort()).toEqual([
      'appointment',
      'complaint',
      'emergency',
      'plan',
      'rejection',
      'revisit',
    ]);
    expect(registry.menu.entries.map((e) => e.id)).toEqual([
      'repair',
      'complaint',
      'suggestion',
      'emergency',
      'mytickets',
      'lang',
    ]);
    expect(registry.flows.get('complaint')?.steps.at(-1)?.answer.kind).toBe('confirm');
  });

  it('loads a small valid directory, applying the schema defaults', () => {
    const registry = loadFlows(flowsDir({ 'menu.yaml': MENU, 'good.yaml': GOOD, 'notes.txt': 'not a flow' }), i18n.has);
    const good = registry.flows.get('good');
    expect(good?.steps.map((s) => s.id)).toEqual(['description', 'phone']);
    expect(good?.steps[0]?.answer).toEqual({ kind: 'text', min: 4, max: 1000 });
    expect(good?.steps[0]?.optional).toBe(false);
    expect(good?.set).toEqual({});
    expect(registry.menu.entries[0]?.preset).toEqual({});
  });

  it('reads .yml files too', () => {
    const registry = loadFlows(flowsDir({ 'menu.yml': MENU, 'good.yml': GOOD }), i18n.has);
    expect(registry.flows.has('good')).toBe(true);
  });

  it('names the file of a flow that is not valid YAML', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'broken.yaml': 'id: broken\nsteps:\n  - id: a\n    ask: [unclosed\n',
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'broken.yaml'));
    expect(problems[0]).toContain('not valid YAML');
  });

  it('names the file, the step and the field of an unknown answer kind', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'kinds.yaml': `id: kinds
version: 1
steps:
  - id: first
    ask: complaint.ask.kind
    answer: { kind: text }
  - id: essay
    ask: complaint.ask.kind
    answer: { kind: essay }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'kinds.yaml'));
    expect(problems[0]).toContain('step "essay"');
    expect(problems[0]).toContain('answer.kind');
  });

  it('names the step whose next goes to a missing step', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'jump.yaml': `id: jump
version: 1
steps:
  - id: start
    ask: complaint.ask.kind
    label: complaint.field.kind
    answer: { kind: text }
    next: [{ go: nowhere }]
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'jump.yaml'));
    expect(problems[0]).toContain('step "start"');
    expect(problems[0]).toContain('"nowhere"');
    expect(problems[0]).toContain('next.0.go');
  });

  it('names a step whose condition or read-back names a missing step', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'refs.yaml': `id: refs
version: 1
steps:
  - id: ask_it
    if: { answered: ghost_a }
    ask: complaint.ask.kind
    label: complaint.field.kind
    answer: { kind: text }
  - id: confirm
    ask: complaint.readback
    label: complaint.field.confirm
    answer: { kind: confirm, fields: [ask_it, ghost_b] }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.includes('"ghost_a"'))).toContain('step "ask_it"');
    expect(problems.find((p) => p.includes('"ghost_b"'))).toContain('step "confirm"');
  });

  it('names a duplicate step id', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'twice.yaml': `id: twice
version: 1
steps:
  - id: same
    ask: complaint.ask.kind
    label: complaint.field.kind
    answer: { kind: text }
  - id: same
    ask: complaint.ask.kind
    label: complaint.field.kind
    answer: { kind: yesno }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'twice.yaml'));
    expect(problems[0]).toContain('step "same"');
    expect(problems[0]).toContain('used twice');
  });

  it('refuses a rating whose min is not below its max', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'rate.yaml': `id: rate
version: 1
steps:
  - id: score
    ask: complaint.ask.kind
    label: complaint.field.kind
    answer: { kind: rating, min: 5, max: 5 }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('step "score"');
    expect(problems[0]).toContain('rating min must be below max');
  });

  it('names the file, the step and the key of a missing locale key', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'keys.yaml': `id: keys
version: 1
steps:
  - id: where
    ask: complaint.ask.nowhere_to_be_found
    label: complaint.field.location
    answer: { kind: location }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'keys.yaml'));
    expect(problems[0]).toContain('step where');
    expect(problems[0]).toContain('"complaint.ask.nowhere_to_be_found"');
  });

  it('checks keys against every locale (a key missing from one locale is missing)', () => {
    const dir = flowsDir({ 'menu.yaml': MENU, 'good.yaml': GOOD });
    const onlyInOne = createI18n({ 'zh-CN': { menu: { repair: '报修' } }, en: {} });
    const problems = problemsOf(dir, onlyInOne.has);
    expect(problems.some((p) => p.includes(join(dir, 'menu.yaml')) && p.includes('"menu.repair"'))).toBe(true);
  });

  it('names the default read-back label key of a step without a label', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'nolabel.yaml': `id: nolabel
version: 1
steps:
  - id: what
    ask: complaint.ask.description
    answer: { kind: text }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toEqual([expect.stringContaining('"nolabel.field.what"')]);
    expect(problems[0]).toContain(join(dir, 'nolabel.yaml'));
  });

  it('names a choice option without a label', () => {
    const dir = flowsDir({
      'menu.yaml': MENU,
      'good.yaml': GOOD,
      'opts.yaml': `id: opts
version: 1
steps:
  - id: kind
    ask: complaint.ask.kind
    label: complaint.field.kind
    answer: { kind: choice, options: [repair, teleport], labels: ticket.kind }
`,
    });
    const problems = problemsOf(dir);
    expect(problems).toEqual([expect.stringContaining('"ticket.kind.teleport"')]);
  });

  it('names a menu entry that starts a missing flow', () => {
    const dir = flowsDir({
      'menu.yaml': `${MENU}  - id: ghost
    label: menu.complaint
    flow: ghost
`,
      'good.yaml': GOOD,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(join(dir, 'menu.yaml'));
    expect(problems[0]).toContain('menu entry "ghost"');
    expect(problems[0]).toContain('flow "ghost"');
  });

  it('names a menu entry with neither flow nor command, and a preset of a missing step', () => {
    const dir = flowsDir({
      'menu.yaml': `${MENU}  - id: empty
    label: menu.complaint
  - id: preset
    label: menu.suggestion
    flow: good
    preset: { kind: suggestion }
`,
      'good.yaml': GOOD,
    });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.includes('"empty"'))).toContain('needs a flow or a command');
    expect(problems.find((p) => p.includes('"preset"'))).toContain('presets step "kind"');
  });

  it('names two files that use the same flow id', () => {
    const dir = flowsDir({ 'menu.yaml': MENU, 'good.yaml': GOOD, 'good-copy.yaml': GOOD });
    const problems = problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('flow id "good" is used by another file too');
  });

  it('says when the menu is missing', () => {
    const dir = flowsDir({ 'good.yaml': GOOD });
    const problems = problemsOf(dir);
    expect(problems).toEqual([`${join(dir, 'menu.yaml')}: missing or invalid (the main menu)`]);
  });

  it('reports every problem at once, each naming its file', () => {
    const dir = flowsDir({
      'menu.yaml': `${MENU}  - id: ghost
    label: menu.complaint
    flow: ghost
`,
      'good.yaml': GOOD,
      'a-broken.yaml': 'id: [oops\n',
      'b-kind.yaml': `id: kind_bad
version: 1
steps:
  - id: essay
    ask: complaint.ask.kind
    answer: { kind: essay }
`,
      'c-next.yaml': `id: next_bad
version: 1
steps:
  - id: start
    ask: complaint.ask.kind
    answer: { kind: text }
    next: [{ go: nowhere }]
`,
      'd-dup.yaml': `id: dup_bad
version: 1
steps:
  - id: same
    ask: complaint.ask.kind
    answer: { kind: text }
  - id: same
    ask: complaint.ask.kind
    answer: { kind: text }
`,
      'e-keys.yaml': `id: keys_bad
version: 1
steps:
  - id: where
    ask: complaint.ask.missing_key
    label: complaint.field.location
    answer: { kind: location }
`,
    });
    const problems = problemsOf(dir);
    const expected: [file: string, ...fragments: string[]][] = [
      ['a-broken.yaml', 'not valid YAML'],
      ['b-kind.yaml', 'step "essay"', 'answer.kind'],
      ['c-next.yaml', 'step "start"', '"nowhere"'],
      ['d-dup.yaml', 'step "same"', 'used twice'],
      ['e-keys.yaml', 'step where', '"complaint.ask.missing_key"'],
      ['menu.yaml', 'menu entry "ghost"', 'flow "ghost"'],
    ];
    for (const [file, ...fragments] of expected) {
      const found = problems.filter(
        (p) => p.startsWith(`${join(dir, file)}:`) && fragments.every((f) => p.includes(f)),
      );
      expect(found, `a problem for ${file} naming ${fragments.join(', ')} in:\n${problems.join('\n')}`).toHaveLength(1);
    }
    expect(problems).toHaveLength(expected.length);
  });
});
