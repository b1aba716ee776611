/**
 * Owner- and staff-facing texts from `locales/<locale>.json` (and its parts in `locales/<locale>/`), through i18next (interpolation, nesting,
 * and a missing-key check that start-up and the tests share).
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
export function createI18n(
  resources: Resources,
  options: { onMissingKey?: (locale: Locale, key: string) => void } = {},
): I18n {
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
  const keySets = Object.fromEntries(LOCALES.map((l) => [l, new Set(flattenKeys(resources[l]))])) as Record<
    Locale,
    Set<string>
  >;
  const fixed = Object.fromEntries(LOCALES.map((l) => [l, instance.getFixedT(l)])) as Record<Locale, i18n['t']>;
  return {
    translate: (locale, key, params) => {
      if (options.onMissingKey && !keySets[locale].has(key)) options.onMissingKey(locale, key);
      return String(fixed[locale](key, params ?? {}));
    },
    has: (key) => LOCALES.every((l) => keySets[l].has(key)),
    keys: (locale) => [...keySets[locale]],
  };
}
