import { readFileSync } from 'node:fs';
import { loadKeywords } from '../../../src/adapters/ai/keywords-file.js';
import { type EvalMessage, evalSetSchema } from '../../../src/core/understand/evaluate.js';

/** The real keyword file, compiled once for all tests. */
export const keywords = loadKeywords();

/** The hand-labelled evaluation set. */
export const evalMessages: EvalMessage[] = evalSetSchema.parse(
  JSON.parse(readFileSync('test/fixtures/eval-messages.json', 'utf8')),
);
