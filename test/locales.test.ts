import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../src/app/flows-loader.js';
import { localeKeysOf } from '../src/core/flow/registry.js';
import { EFFECTS } from '../src/core/flow/schema.js';
import { LOCALES, type UnsupportedKind } from '../src/core/types.js';
import { createI18n, flattenKeys, readLocales } from '../src/i18n.js';

const resources = readLocales('locales');
const i18n = createI18n(resources);

function valueAt(tree: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1] ?? ''))].sort();
}

/** Keys present in one locale and not in another, per pair; empty when they agree. */
function missingKeys(tree: Record<string, Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const locales = Object.keys(tree);
  for (const a of locales) {
    for (const b of locales) {
      if (a === b) continue;
      const inB = new Set(flattenKeys(tree[b] ?? {}));
      for (const key of flattenKeys(tree[a] ?? {}))
        if (!inB.has(key)) problems.push(`${key} (in ${a}, missing from ${b})`);
    }
  }
  return problems;
}

describe('locales', () => {
  it('exist for every supported locale', () => {
    expect(Object.keys(resources).sort()).toEqual([...LOCALES].sort());
    for (const locale of LOCALES) expect(flattenKeys(resources[locale]).length).toBeGreaterThan(50);
  });

  it('zh-CN and en have exactly the same keys', () => {
    expect(missingKeys(resources)).toEqual([]);
  });

  it('the key comparison names the keys missing on either side', () => {
    const problems = missingKeys({ 'zh-CN': { a: { b: 'x', c: 'y' } }, en: { a: { b: 'x' }, d: 'z' } });
    expect(problems).toEqual(['a.c (in zh-CN, missing from en)', 'd (in en, missing from zh-CN)']);
  });

  it('every value is a non-empty string', () => {
    const bad: string[] = [];
    for (const locale of LOCALES) {
      for (const key of flattenKeys(resources[locale])) {
        const value = valueAt(resources[locale], key);
        if (typeof value !== 'string' || value.trim() === '') bad.push(`${locale}: ${key} = ${JSON.stringify(value)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('each key uses the same {{placeholders}} in every locale', () => {
    const differ: string[] = [];
    for (const key of flattenKeys(resources['zh-CN'])) {
      const seen = LOCALES.map((l) => {
        const value = valueAt(resources[l], key);
        return `${l}: [${typeof value === 'string' ? placeholders(value).join(', ') : ''}]`;
      });
      if (new Set(seen.map((s) => s.replace(/^[^:]+: /, ''))).size > 1) differ.push(`${key} — ${seen.join(' / ')}`);
    }
    expect(differ).toEqual([]);
  });

  it('every key the flows and the menu use exists in every locale', () => {
    const registry = loadFlows('flows', () => true);
    const used = localeKeysOf(registry);
    expect(used.length).toBeGreaterThan(30);
    const missing = used.filter(({ key }) => !i18n.has(key)).map(({ key, where }) => `${where}: ${key}`);
    expect(missing).toEqual([]);
  });

  it('every key the engine and the answer checks name exists in every locale', () => {
    // The engine is split into modules by job under src/core/flow: every one of them is read.
    const source = readdirSync('src/core/flow')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(`src/core/flow/${f}`, 'utf8'))
      .join('\n');
    const notKeys = new Set<string>([
      ...EFFECTS,
      'owner.update',
      'ticket.note',
      'ticket.cancel',
      'flow.cancelled',
      'enquiry.forward',
      'owner.intent',
    ]);
    const keys = new Set(
      [...source.matchAll(/'((?:[a-z_]+\.)+[a-z_]+)'/g)].map((m) => m[1] ?? '').filter((k) => !notKeys.has(k)),
    );
    keys.add('welcome');
    const kinds: UnsupportedKind[] = ['sticker', 'voice', 'video', 'document', 'location', 'contact', 'other'];
    for (const kind of kinds) keys.add(`input.kind.${kind}`);
    expect(keys.size).toBeGreaterThan(40);
    expect([...keys].filter((k) => !i18n.has(k))).toEqual([]);
  });

  it('renders a placeholder and tells a missing key', () => {
    expect(i18n.translate('en', 'input.too_short', { min: 4 })).toContain('4');
    expect(i18n.translate('zh-CN', 'input.too_short', { min: 4 })).toContain('4');
    expect(i18n.has('input.too_short')).toBe(true);
    expect(i18n.has('input.no_such_key')).toBe(false);
  });
});

describe('locale parts (locales/<locale>/*.json)', () => {
  const write = async (files: Record<string, unknown>) => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { dirname, join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'locales-'));
    for (const [name, tree] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), JSON.stringify(tree));
    }
    return dir;
  };

  it('adds each part’s sections to its locale', async () => {
    const dir = await write({
      'zh-CN.json': { a: { x: '甲' } },
      'en.json': { a: { x: 'A' } },
      'zh-CN/more.json': { b: { y: '乙' } },
      'en/more.json': { b: { y: 'B' } },
    });
    const read = readLocales(dir);
    expect(read['zh-CN']).toEqual({ a: { x: '甲' }, b: { y: '乙' } });
    expect(read.en).toEqual({ a: { x: 'A' }, b: { y: 'B' } });
  });

  it('refuses a section defined twice, naming both files', async () => {
    const dir = await write({
      'zh-CN.json': { a: { x: '甲' } },
      'en.json': { a: { x: 'A' } },
      'zh-CN/more.json': { a: { y: '乙' } },
    });
    expect(() => readLocales(dir)).toThrow(/more\.json: section "a" is already defined in .*zh-CN\.json/);
  });
});

describe('a missing key', () => {
  it('is reported to onMissingKey and rendered as the key itself', () => {
    const missing: string[] = [];
    const t = createI18n(
      { 'zh-CN': { a: { x: '甲' } }, en: { a: { x: 'A' } } },
      { onMissingKey: (locale, key) => missing.push(`${locale}:${key}`) },
    );
    expect(t.translate('zh-CN', 'a.x')).toBe('甲');
    expect(t.translate('en', 'a.y')).toBe('a.y');
    expect(missing).toEqual(['en:a.y']);
  });
});
