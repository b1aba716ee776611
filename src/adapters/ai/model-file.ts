/**
 * Reads the offline model's training data (`flows/understand/training.json` and the labelled files it
 * includes) and trains the model, once per process and keyword set. Training is deterministic; since it
 * takes a few seconds, the weights are also committed (`flows/understand/model.json`, `npm run train`) with
 * a hash of what they were trained from, and a stale file is never read: the model is trained again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmergencyRules } from '../../core/understand/emergency.js';
import {
  compactModel,
  modelFromJson,
  modelToJson,
  trainUnderstandHeads,
  trainUnderstandModel,
  type UnderstandModel,
  type UnderstandModelJson,
} from '../../core/understand/intent.js';
import type { Keywords } from '../../core/understand/keywords.js';
import { type LabelledMessage, labelledSetSchema } from '../../core/understand/labels.js';
import { FROZEN_TEST_SET, mergeExamples, trainingFileSchema } from '../../core/understand/training.js';
import { loadEmergencyRules } from './emergency-file.js';

/** `flows/understand/training.json` in this repository, wherever the process was started from. */
export const DEFAULT_TRAINING_PATH = fileURLToPath(new URL('../../../flows/understand/training.json', import.meta.url));

export class TrainingDataError extends Error {
  readonly code = 'TRAINING_DATA_INVALID';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrainingDataError';
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TrainingDataError(`${path}: cannot be read as JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The labelled messages to train on, and the files they came from (a missing include is skipped). */
export function loadTrainingData(path: string = DEFAULT_TRAINING_PATH): {
  messages: LabelledMessage[];
  files: string[];
} {
  const parsed = trainingFileSchema.safeParse(readJson(path));
  if (!parsed.success)
    throw new TrainingDataError(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const sets: LabelledMessage[][] = [parsed.data.examples];
  const files = [path];
  for (const rel of parsed.data.include) {
    const file = resolve(dirname(path), rel);
    if (FROZEN_TEST_SET.test(file)) throw new TrainingDataError(`${path}: includes the frozen test set ${rel}`);
    if (!existsSync(file)) continue;
    const set = labelledSetSchema.safeParse(readJson(file));
    if (!set.success)
      throw new TrainingDataError(
        `${file}: ${set.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    sets.push(set.data);
    files.push(file);
  }
  return { messages: mergeExamples(sets), files };
}

const cache = new WeakMap<Keywords, Map<string, UnderstandModel>>();

/** `flows/understand/model.json`: the weights trained from the default training file (`npm run train`). */
export const DEFAULT_WEIGHTS_PATH = fileURLToPath(new URL('../../../flows/understand/model.json', import.meta.url));

/** Bumped when the model's inputs or heads change in code, so an older weights file is not read. */
const MODEL_FORMAT = 2;

/**
 * A hash of everything the weights depend on: the labelled messages, the keywords and the emergency rules
 * (their patterns as text) and the model's format. A weights file with another hash is stale.
 */
export function trainingHash(messages: readonly LabelledMessage[], keywords: Keywords, rules: EmergencyRules): string {
  const replacer = (_: string, v: unknown) =>
    v instanceof RegExp ? `/${v.source}/${v.flags}` : v instanceof Map ? [...v] : v instanceof Set ? [...v] : v;
  return createHash('sha256')
    .update(JSON.stringify({ format: MODEL_FORMAT, messages, keywords, rules }, replacer))
    .digest('hex');
}

interface WeightsFile extends UnderstandModelJson {
  about?: string;
  hash: string;
}

/** The weights of a file whose hash matches, else undefined (missing, stale or unreadable: retrain). */
function readWeights(path: string, hash: string): UnderstandModel | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as WeightsFile;
    return file.hash === hash ? modelFromJson(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Trains on the training file and writes the weights file (`npm run train`). Returns the model and the hash. */
export function writeUnderstandWeights(
  keywords: Keywords,
  rules: EmergencyRules = loadEmergencyRules(),
  path: string = DEFAULT_TRAINING_PATH,
  out: string = DEFAULT_WEIGHTS_PATH,
): { model: UnderstandModel; hash: string } {
  const { messages } = loadTrainingData(path);
  const hash = trainingHash(messages, keywords, rules);
  // Written from the double-precision weights, so the file is what it was before the model was made compact.
  const trained = trainUnderstandHeads(messages, keywords, rules);
  const file: WeightsFile = {
    about:
      'Written by `npm run train` from flows/understand/training.json (and the files it includes), the keywords and the emergency rules; read at start-up when `hash` matches them, else the model is trained again.',
    hash,
    ...modelToJson(trained),
  };
  writeFileSync(out, `${JSON.stringify(file)}\n`);
  return { model: compactModel(trained), hash };
}

/**
 * The model trained on the training file for these keywords (once per process). The weights beside the
 * training file (`flows/understand/model.json`, committed) are read when their hash matches the data, keywords
 * and rules; a stale or missing weights file means training at start-up (a few seconds). The path is the
 * caller's, not one relative to this module, which in the production bundle (scripts/build.mjs) is dist/.
 */
export function loadUnderstandModel(
  keywords: Keywords,
  path: string = DEFAULT_TRAINING_PATH,
  /** The emergency rules whose kinds are inputs of the model (flows/understand/emergency.yaml when left out). */
  rules: EmergencyRules = loadEmergencyRules(),
  /** The weights file (default: `model.json` beside the training file). */
  weights: string = join(dirname(path), 'model.json'),
): UnderstandModel {
  let byPath = cache.get(keywords);
  if (!byPath) {
    byPath = new Map();
    cache.set(keywords, byPath);
  }
  let model = byPath.get(path);
  if (!model) {
    const { messages } = loadTrainingData(path);
    // Weights trained from other data, keywords or rules have another hash and are never read.
    const read = readWeights(weights, trainingHash(messages, keywords, rules));
    model = read ?? trainUnderstandModel(messages, keywords, rules);
    byPath.set(path, model);
  }
  return model;
}
