/**
 * Reads the offline model's training data (`flows/understand/training.json` and the labelled files it
 * includes) and trains the model, once per process and keyword set. Training is deterministic and takes
 * well under a second, so there is no weights file to keep in step: the data is the model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmergencyRules } from '../../core/understand/emergency.js';
import { trainUnderstandModel, type UnderstandModel } from '../../core/understand/intent.js';
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

/** The model trained on the training file for these keywords (trained once, then reused). */
export function loadUnderstandModel(
  keywords: Keywords,
  path: string = DEFAULT_TRAINING_PATH,
  /** The emergency rules whose kinds are inputs of the model (flows/understand/emergency.yaml when left out). */
  rules: EmergencyRules = loadEmergencyRules(),
): UnderstandModel {
  let byPath = cache.get(keywords);
  if (!byPath) {
    byPath = new Map();
    cache.set(keywords, byPath);
  }
  let model = byPath.get(path);
  if (!model) {
    model = trainUnderstandModel(loadTrainingData(path).messages, keywords, rules);
    byPath.set(path, model);
  }
  return model;
}
