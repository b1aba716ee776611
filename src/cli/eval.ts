/**
 * `npm run eval`: measures the offline classifier against the hand-labelled owner messages and prints
 * the figures as JSON — accuracy per field, emergency recall and false alarms, and every miss.
 *
 *   tsx src/cli/eval.ts [messages.json] [keywords.yaml] [--summary]
 *
 * Exits 1 when category accuracy is below 85% or an emergency was missed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KEYWORDS_PATH, loadKeywords } from '../adapters/ai/keywords-file.js';
import { evalSetSchema, evaluate } from '../core/understand/evaluate.js';

const DEFAULT_MESSAGES = fileURLToPath(new URL('../../test/fixtures/eval-messages.json', import.meta.url));
export const MIN_CATEGORY_ACCURACY = 0.85;

function main(argv: string[]): number {
  const summaryOnly = argv.includes('--summary');
  const [messagesPath = DEFAULT_MESSAGES, keywordsPath = DEFAULT_KEYWORDS_PATH] = argv.filter(
    (a) => !a.startsWith('--'),
  );
  const messages = evalSetSchema.parse(JSON.parse(readFileSync(messagesPath, 'utf8')));
  const report = evaluate(messages, loadKeywords(keywordsPath));
  const { misses, ...figures } = report;
  process.stdout.write(`${JSON.stringify(summaryOnly ? figures : { ...figures, misses }, null, 2)}\n`);
  const ok = report.accuracy.category >= MIN_CATEGORY_ACCURACY && report.emergency.missed.length === 0;
  return ok ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
