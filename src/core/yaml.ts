/**
 * YAML parsing for the content files, with the `yaml` library loaded at the first parse rather than at
 * start-up: a start from the content snapshot parses no YAML at all, and the library was 160 KB of the
 * code every start compiled. Loaded through `require` (its CommonJS build), so the parse stays
 * synchronous for the loaders that call it.
 */
import { createRequire } from 'node:module';
import type { parse } from 'yaml';

let loaded: typeof parse | undefined;

/** `yaml`'s `parse` (YAML 1.2, the library's defaults); throws its errors as they are. */
export function parseYaml(text: string): unknown {
  loaded ??= (createRequire(import.meta.url)('yaml') as { parse: typeof parse }).parse;
  return loaded(text);
}
