/**
 * Owner- and staff-facing texts from `locales/<locale>.json` (and its parts in `locales/<locale>/`), through i18next (interpolation, nesting,
 * and a missing-key check that start-up and the tests share). Every plain text (`{{name}}` placeholders only)
 * is compiled once into pieces, so a message's texts are joined, not looked up and parsed by i18next each
 * time; i18next still renders anything else (nesting, plurals, formats, its own options) exactly as before.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n } from 'i18next';
import { LOCALES, type Locale } from './core/types.js';

export type TranslateFn = (locale: Locale, key: string, params?: Record<string, string | number>) => string;

export interface I18n {
  translate: TranslateFn;
  /** Whether the key exists in every locale. */
  has(key: string): boolean;
  /** Every key (dotted) of one locale. */
  keys(locale: Locale): string[];
}

export type Resources = Record<Locale, Record<string, unknown>>;

/**
 * Reads `locales/zh-CN.json` and `locales/en.json` from a directory, with the parts kept beside them in
 * `locales/<locale>/*.json` (one per capability, e.g. notices.json). A part may only add top-level
 * sections: a section defined twice stops start-up naming both files.
 */
export function readLocales(dir: string): Resources {
  const out = {} as Resources;
  for (const locale of LOCALES) {
    const main = join(dir, `${locale}.json`);
    const tree = readJson(main);
    const from = new Map(Object.keys(tree).map((k) => [k, main]));
    const partsDir = join(dir, locale);
    const parts = existsSync(partsDir)
      ? readdirSync(partsDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
      : [];
    for (const name of parts) {
      const file = join(partsDir, name);
      for (const [key, value] of Object.entries(readJson(file))) {
        const earlier = from.get(key);
        if (earlier) throw new Error(`${file}: section "${key}" is already defined in ${earlier}`);
        from.set(key, file);
        tree[key] = value;
      }
    }
    out[locale] = tree;
  }
  return out;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

export function flattenKeys(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? flattenKeys(v as Record<string, unknown>, `${prefix}${k}.`)
      : [`${prefix}${k}`],
  );
}

/**
 * Builds a synchronous translator over the given resources. An unknown key renders as the key itself and is
 * reported to `onMissingKey` (the tests make it an error, so a text an owner would see as `frontdoor.x` fails).
 */
/**
 * An i18next instance over the texts, set up as residesk reads them (synchronous, no escaping, no
 * fallback language). createI18n compiles the plain texts over it; tests compare the two.
 */
export function i18nextFor(resources: Resources): i18n {
  const instance: i18n = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: resources[l] }])),
    lng: LOCALES[0],
    fallbackLng: false,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  } as Parameters<i18n['init']>[0]);
  return instance;
}

export function createI18n(
  resources: Resources,
  options: { onMissingKey?: (locale: Locale, key: string) => void } = {},
): I18n {
  const instance = i18nextFor(resources);
  const keySets = Object.fromEntries(LOCALES.map((l) => [l, new Set(flattenKeys(resources[l]))])) as Record<
    Locale,
    Set<string>
  >;
  const fixed = Object.fromEntries(LOCALES.map((l) => [l, instance.getFixedT(l)])) as Record<Locale, i18n['t']>;
  const compiled = Object.fromEntries(LOCALES.map((l) => [l, compileTexts(resources[l])])) as Record<
    Locale,
    CompiledTexts
  >;
  return {
    translate: (locale, key, params) => {
      if (options.onMissingKey && !keySets[locale].has(key)) options.onMissingKey(locale, key);
      const texts = compiled[locale];
      const template = texts.templates.get(key);
      if (template && (params === undefined || plainParams(params, key, texts))) return render(template, params);
      return String(fixed[locale](key, params ?? {}));
    },
    has: (key) => LOCALES.every((l) => keySets[l].has(key)),
    keys: (locale) => [...keySets[locale]],
  };
}

/** A text split at its placeholders: `pieces[0] names[0] pieces[1] …`, `raw` being each placeholder as written. */
interface Template {
  pieces: string[];
  names: string[];
  raw: string[];
}

interface CompiledTexts {
  /** Every plain text of one locale by its dotted key. */
  templates: Map<string, Template>;
  /** Keys that have plural forms (`key_one`, `key_other` …): with a `count`, i18next picks among them. */
  plurals: Set<string>;
}

const PLACEHOLDER = /\{\{(.+?)\}\}/g;
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
/** Parameters i18next reads as options of the lookup (language, plural, context …), not as values. */
const I18NEXT_OPTIONS = new Set([
  'context',
  'defaultValue',
  'fallbackLng',
  'interpolation',
  'joinArrays',
  'keySeparator',
  'lng',
  'lngs',
  'ns',
  'nsSeparator',
  'ordinal',
  'postProcess',
  'replace',
  'returnDetails',
  'returnObjects',
  'skipInterpolation',
]);

function compileTexts(tree: Record<string, unknown>): CompiledTexts {
  const templates = new Map<string, Template>();
  const plurals = new Set<string>();
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const key = `${prefix}${k}`;
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${key}.`);
      else if (typeof v === 'string') {
        const template = compileText(v);
        if (template) templates.set(key, template);
        if (PLURAL_SUFFIX.test(key)) plurals.add(key.replace(PLURAL_SUFFIX, ''));
      }
    }
  };
  walk(tree, '');
  return { templates, plurals };
}

/** Pieces of a text whose placeholders are all plain names; undefined for anything i18next must render. */
function compileText(text: string): Template | undefined {
  if (text.includes('$t(')) return undefined;
  const template: Template = { pieces: [], names: [], raw: [] };
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = (m[1] ?? '').trim();
    if (!/^\w+$/.test(name)) return undefined;
    template.pieces.push(text.slice(last, m.index));
    template.names.push(name);
    template.raw.push(m[0]);
    last = m.index + m[0].length;
  }
  template.pieces.push(text.slice(last));
  return template;
}

/** Whether i18next would take these parameters as values only (no option, no plural choice to make). */
function plainParams(params: Record<string, string | number>, key: string, texts: CompiledTexts): boolean {
  for (const name in params) {
    if (I18NEXT_OPTIONS.has(name)) return false;
    if (name === 'count' && texts.plurals.has(key)) return false;
  }
  return true;
}

/** As i18next interpolates without escaping: a missing parameter leaves its placeholder, null or undefined is empty. */
function render(template: Template, params: Record<string, string | number> | undefined): string {
  const { pieces, names, raw } = template;
  let out = pieces[0] ?? '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    let value: string;
    if (params === undefined || !Object.hasOwn(params, name)) value = raw[i] as string;
    else {
      const v: unknown = params[name];
      value = v === undefined || v === null ? '' : String(v);
    }
    out += value + (pieces[i + 1] ?? '');
  }
  return out;
}
