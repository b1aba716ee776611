import { describe, expect, it } from 'vitest';
import { LOCALES, type Locale } from '../src/core/types.js';
import { createI18n, flattenKeys, i18nextFor, type Resources, readLocales } from '../src/i18n.js';

/** i18next as createI18n configures it, without the compiled texts: the reference every text must match. */
function reference(resources: Resources): (locale: Locale, key: string, params?: Record<string, unknown>) => string {
  const instance = i18nextFor(resources);
  return (locale, key, params) => String(instance.getFixedT(locale)(key, params ?? {}));
}

function placeholdersOf(text: unknown): string[] {
  return typeof text === 'string' ? [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '') : [];
}

function valueAt(tree: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

describe('compiled texts', () => {
  it('render every text of both locales as i18next does, whatever parameters are given or left out', () => {
    const resources = readLocales('locales');
    const compiled = createI18n(resources);
    const expected = reference(resources);
    const differences: string[] = [];
    for (const locale of LOCALES) {
      for (const key of flattenKeys(resources[locale])) {
        const names = placeholdersOf(valueAt(resources[locale], key));
        const cases: (Record<string, string | number> | undefined)[] = [
          undefined,
          {},
          Object.fromEntries(names.map((n, i) => [n, `v${i}-$&-$1-{{${n}}}-$t(welcome)`])),
          Object.fromEntries(names.map((n, i) => [n, i * 7])),
          Object.fromEntries(names.slice(1).map((n) => [n, 'some'])),
          { count: 2, ...Object.fromEntries(names.map((n) => [n, 'x'])) },
        ];
        for (const params of cases) {
          const got = compiled.translate(locale, key, params);
          const want = expected(locale, key, params);
          if (got !== want) differences.push(`${locale} ${key} ${JSON.stringify(params)}: ${got} ≠ ${want}`);
        }
      }
    }
    expect(differences).toEqual([]);
  });

  it('leave nesting, plurals, formats, options and unknown keys to i18next', () => {
    const tree = {
      plain: 'Hello {{ name }}, {{name}}!',
      nested: 'See $t(plain)',
      ticket_one: 'one ticket',
      ticket_other: '{{count}} tickets',
      both: 'both {{count}}',
      both_one: 'just one',
      both_other: '{{count}} of them',
      formatted: 'at {{when, datetime}}',
      unescaped: 'raw {{- html}}',
      deep: 'hi {{who.name}}',
      section: { leaf: 'leaf' },
    };
    const resources = { 'zh-CN': tree, en: tree } as Resources;
    const compiled = createI18n(resources);
    const expected = reference(resources);
    const calls: [string, Record<string, unknown> | undefined][] = [
      ['plain', { name: 'Ann' }],
      ['plain', { name: undefined }],
      ['plain', { name: null }],
      ['plain', undefined],
      ['nested', { name: 'Ann' }],
      ['ticket', { count: 1 }],
      ['ticket', { count: 3 }],
      ['both', { count: 1 }],
      ['both', { count: 5 }],
      ['both', {}],
      ['formatted', { when: 'now' }],
      ['unescaped', { html: '<b>' }],
      ['deep', { who: { name: 'Bo' } }],
      ['section', {}],
      ['nowhere', {}],
      ['plain', { name: 'Ann', lng: 'en' }],
      ['plain', { name: 'Ann', defaultValue: 'dv' }],
    ];
    for (const [key, params] of calls) {
      const got = compiled.translate('en', key, params as Record<string, string | number> | undefined);
      expect(got, `${key} ${JSON.stringify(params)}`).toBe(expected('en', key, params));
    }
    expect(compiled.translate('en', 'ticket', { count: 3 })).toBe('3 tickets');
    expect(compiled.translate('en', 'both', { count: 1 })).toBe('just one');
    expect(compiled.translate('en', 'plain', { name: 'Ann' })).toBe('Hello Ann, Ann!');
  });
});
