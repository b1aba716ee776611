import { describe, expect, it } from 'vitest';
import type { FlowRegistry } from '../../../src/core/flow/registry.js';
import { flowSchema, menuSchema } from '../../../src/core/flow/schema.js';
import { Conversation, effectsOf } from '../../support/engine.js';

const labels: Record<string, string> = {
  'q.ask': 'Which do you use?',
  'q.opt.lift': 'Lift',
  'q.opt.gym': 'Gym',
  'q.opt.pool': 'Pool',
  'common.done_count': 'Done ({{count}})',
  'common.skip': 'Skip',
  'input.pick_at_least': 'Pick at least {{min}}.',
  'input.pick_at_most': 'At most {{max}}.',
  'input.multi_hint': 'Tap options or reply with numbers.',
  'menu.title': 'Menu',
  'menu.anything_else': 'Anything else?',
  'm.x': 'X',
};
const translate = (_l: string, key: string, p?: Record<string, string | number>) =>
  (labels[key] ?? key).replace(/\{\{(\w+)\}\}/g, (_m, k: string) => String(p?.[k] ?? ''));

const registry: FlowRegistry = {
  flows: new Map([
    [
      'm',
      flowSchema.parse({
        id: 'm',
        version: 1,
        done: 'survey.answer',
        after: 'none',
        steps: [
          {
            id: 'uses',
            ask: 'q.ask',
            answer: { kind: 'multi', options: ['lift', 'gym', 'pool'], labels: 'q.opt', min: 1, max: 2 },
          },
        ],
      }),
    ],
  ]),
  menu: menuSchema.parse({ entries: [{ id: 'x', label: 'm.x', command: 'help' }] }),
};

describe('multiple-choice answers', () => {
  it('toggles with buttons and finishes with Done', () => {
    const c = new Conversation(registry, translate);
    c.start('m');
    c.press('o.lift');
    expect(c.lastText()).toBe('Which do you use?');
    c.press('o.gym');
    const out = c.press('done');
    expect(effectsOf(out.output)).toMatchObject([{ type: 'survey.answer', answers: { uses: ['lift', 'gym'] } }]);
  });

  it('un-ticks a second press, refuses Done with nothing picked and a third pick over the max', () => {
    const c = new Conversation(registry, translate);
    c.start('m');
    c.press('o.lift');
    c.press('o.lift');
    c.press('done');
    expect(c.lastText()).toContain('Pick at least 1.');
    c.press('o.lift');
    c.press('o.gym');
    c.press('o.pool');
    expect(c.lastText()).toContain('At most 2.');
  });

  it('takes several typed numbers at once, full-width too', () => {
    const c = new Conversation(registry, translate);
    c.start('m');
    const out = c.text('１、3');
    expect(effectsOf(out.output)).toMatchObject([{ type: 'survey.answer', answers: { uses: ['lift', 'pool'] } }]);
  });

  it('re-prompts on numbers not on the list', () => {
    const c = new Conversation(registry, translate);
    c.start('m');
    c.text('1 9');
    expect(c.lastText()).toContain('Tap options or reply with numbers.');
    expect(effectsOf(c.outcomes.at(-1)?.output ?? [])).toEqual([]);
  });
});
