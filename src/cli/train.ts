/**
 * `npm run train`: trains the offline model on flows/understand/training.json (and the files it includes)
 * and writes flows/understand/model.json, the weights read at start-up while their hash matches the data,
 * the keywords and the emergency rules. Run it after changing any of them, and commit the file.
 */
import { fileURLToPath } from 'node:url';
import { loadEmergencyRules } from '../adapters/ai/emergency-file.js';
import { loadKeywords } from '../adapters/ai/keywords-file.js';
import { DEFAULT_WEIGHTS_PATH, writeUnderstandWeights } from '../adapters/ai/model-file.js';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const { model, hash } = writeUnderstandWeights(loadKeywords(), loadEmergencyRules());
  process.stdout.write(
    `train: ${model.trainedOn} messages, ${Date.now() - started} ms → ${DEFAULT_WEIGHTS_PATH} (hash ${hash.slice(0, 12)})\n`,
  );
}
