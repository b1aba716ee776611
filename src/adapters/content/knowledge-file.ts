/**
 * Reads the knowledge directory (`flows/knowledge/`): every `*.yaml` there is a file of entries, except
 * `synonyms.yaml`, the synonym groups; `examples.json` (optional) holds labelled owners' questions. Parsing and checking stay pure in core/knowledge/schema.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EXAMPLES_FILE,
  type ParsedKnowledge,
  parseKnowledgeFiles,
  SYNONYMS_FILE,
} from '../../core/knowledge/schema.js';

/**
 * Reads the entries and synonyms in `dir`, files in name order (a missing directory holds none). Throws
 * KnowledgeError listing every problem, one line each naming the file and the entry.
 */
export function loadKnowledge(dir: string): ParsedKnowledge {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml') || f === EXAMPLES_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], synonyms: [], examples: [] };
    throw error;
  }
  const read = (name: string) => {
    const file = join(dir, name);
    return { file, text: readFileSync(file, 'utf8') };
  };
  return parseKnowledgeFiles(
    names
      .filter((name) => name !== SYNONYMS_FILE && name !== EXAMPLES_FILE)
      .sort()
      .map(read),
    names.includes(SYNONYMS_FILE) ? read(SYNONYMS_FILE) : undefined,
    names.includes(EXAMPLES_FILE) ? read(EXAMPLES_FILE) : undefined,
  );
}
