/**
 * Reads the questionnaires directory (`flows/surveys/*.yaml`); parsing and checking stay pure in
 * core/surveys/questionnaire.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuestionnaireFiles, type Questionnaire } from '../../core/surveys/questionnaire.js';

/**
 * Reads every `*.yaml` in `dir`, in name order (a missing directory holds none). Throws QuestionnaireError
 * listing every problem at once: broken YAML, schema problems, and an id used by two files.
 */
export function loadQuestionnaires(dir: string): Map<string, Questionnaire> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return parseQuestionnaireFiles(
    names.sort().map((name) => {
      const file = join(dir, name);
      return { file, text: readFileSync(file, 'utf8') };
    }),
  );
}
