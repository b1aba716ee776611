/**
 * Reads the offline classifier's keyword file (`flows/keywords.yaml`) from disk and compiles it. A missing
 * or broken file throws KeywordsError naming every problem, so start-up stops instead of misfiling.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Keywords, KeywordsError, parseKeywords } from '../../core/understand/keywords.js';

/** `flows/keywords.yaml` in this repository, wherever the process was started from. */
export const DEFAULT_KEYWORDS_PATH = fileURLToPath(new URL('../../../flows/keywords.yaml', import.meta.url));

export function loadKeywords(path: string = DEFAULT_KEYWORDS_PATH): Keywords {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KeywordsError([`${path}: cannot be read: ${(error as Error).message}`]);
  }
  try {
    return parseKeywords(text);
  } catch (error) {
    if (error instanceof KeywordsError) throw new KeywordsError(error.problems.map((p) => `${path}: ${p}`));
    throw error;
  }
}
