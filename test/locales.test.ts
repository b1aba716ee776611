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

/**
 * Words for older owners and staff (issue 20): no English left untranslated in Chinese text, and no
 * sentence that ends in a colon with nothing after it.
 */
describe('the words themselves', () => {
  /**
   * Keys that keep Latin words on purpose: the language choice (read before a language is known), and
   * Telegram, which has no Chinese name owners would recognise.
   */
  const BILINGUAL = new Set(['lang.choose', 'lang.kept', 'menu.lang', 'telegram.commands.lang', 'channel.telegram']);
  /** Latin words that stay: survey measures and file formats staff know by these names, a language tag in an example. */
  const KEPT_WORDS = new Set(['NPS', 'CSV', 'EN', 'now']);

  /**
   * The Latin words of a Chinese string that are not something typed or shown as is: placeholders, a slash
   * command with its arguments, a shell command, ticket/notice/question ids, dates and durations, key=value.
   */
  function untranslated(text: string): string[] {
    const stripped = text
      .replace(/\{\{[^}]*\}\}/g, ' ')
      .replace(/npm run [\x20-\x7e]*/g, ' ')
      .replace(/\/[a-z_]+[\x20-\x7e]*/gi, ' ')
      .replace(/\b[a-z_]+=[^\s，。、；）)]*/gi, ' ')
      .replace(/\b(?:T\d{6}-\d{4,}|[NQSC]\d{3,})\b/g, ' ')
      .replace(/\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?|\d{4}-Q[1-4]/g, ' ')
      // A notice's English line, typed after EN: in the example; a zone letter in a place (B区).
      .replace(/EN: [^\n]*/g, ' ')
      .replace(/[A-Z](?=[区栋座])/g, ' ')
      .replace(/\b\d+[dhm]\b/g, ' ');
    return (stripped.match(/[A-Za-z][A-Za-z'’-]*/g) ?? []).filter((w) => !KEPT_WORDS.has(w));
  }

  it('the English check catches a stray word and lets commands, ids and placeholders through', () => {
    expect(untranslated('后续由 TA 负责跟进')).toEqual(['TA']);
    expect(untranslated('来源：console')).toEqual(['console']);
    expect(untranslated('Photos：0 photo(s)')).toEqual(['Photos', 'photo', 's']);
    expect(untranslated('请发送 /judge {{number}} 加急，或 T261128-0001 接单；楼栋写成 buildings=3,5')).toEqual([]);
  });

  it('no zh-CN string carries untranslated English', () => {
    const found: string[] = [];
    for (const key of flattenKeys(resources['zh-CN'])) {
      if (BILINGUAL.has(key)) continue;
      const value = valueAt(resources['zh-CN'], key);
      const words = typeof value === 'string' ? untranslated(value) : [];
      if (words.length > 0) found.push(`${key}: ${words.join(' ')}`);
    }
    expect(found).toEqual([]);
  });

  /** Headings and questions that a list or buttons always follow: their colon is not left hanging. */
  const INTRODUCES =
    /(?:^|\.)(?:ask|choose|title|title_resume|header|list_header|list_title|answer_title|readback|readback_title|meanwhile|staff_only|command_unavailable|followup_none|state_dropped|themes|texts|dimensions|buildings|owner_title|month_title|timeline_title|kind|category|party|followup_title)$/;

  it('the colon check flags a colon left hanging and a mention list after a colon', () => {
    const hanging = (key: string, text: string) =>
      /[：:]\s*$/.test(text) ? !INTRODUCES.test(key) : /[：:]\s*\{\{\s*who\s*\}\}\s*$/.test(text);
    expect(hanging('desk.review_requested', '请主管联系业主：{{who}}')).toBe(true);
    expect(hanging('desk.note', '请主管联系业主：')).toBe(true);
    expect(hanging('desk.review_requested', '请主管尽快联系业主。{{who}}')).toBe(false);
    expect(hanging('menu.title', '请选择：')).toBe(false);
  });

  it('no string ends in a colon with nothing after it, in either language', () => {
    const found: string[] = [];
    for (const locale of LOCALES) {
      for (const key of flattenKeys(resources[locale])) {
        const value = valueAt(resources[locale], key);
        if (typeof value !== 'string') continue;
        // A mention list ({{who}}) is empty when nobody is configured: it never follows a colon.
        const afterColon = /[：:]\s*\{\{\s*who\s*\}\}\s*$/.test(value);
        const bare = /[：:]\s*$/.test(value) && !INTRODUCES.test(key);
        if (afterColon || bare) found.push(`${locale}: ${key}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('no doubled plea for understanding, no slang, no repair-only words in the shared report questions', () => {
    const zhText = flattenKeys(resources['zh-CN']).map((k) => [k, String(valueAt(resources['zh-CN'], k))] as const);
    expect(zhText.filter(([, v]) => /请您理解|恳请您理解/.test(v)).map(([k]) => k)).toEqual([]);
    expect(zhText.filter(([, v]) => /\bTA\b/.test(v)).map(([k]) => k)).toEqual([]);
    expect(String(valueAt(resources['zh-CN'], 'complaint.ask.photos'))).not.toContain('师傅');
  });
});
