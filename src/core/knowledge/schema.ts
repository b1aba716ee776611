/**
 * The knowledge files as data (`flows/knowledge/*.yaml`, and `synonyms.yaml` beside them): the zod schema
 * they are checked with and a parser whose every problem is one line naming the file and the entry.
 * File entries are written in both languages; their answers may use only the deployment's own values
 * {{estate}} and {{dutyPhone}}. Pure: the files are read by the loader
 * (adapters/content/knowledge-file.ts) and handed in as text.
 */

import { z } from 'zod';
import { LOCALES } from '../types.js';
import { parseYaml } from '../yaml.js';
import { KNOWLEDGE_TOPICS, type KnowledgeEntry, type KnowledgeExample } from './entry.js';
import type { SynonymGroups } from './terms.js';

/** The values an answer may name, filled in by the app from the configuration (ESTATE_NAME, DUTY_PHONE). */
export const KNOWLEDGE_PLACEHOLDERS = ['estate', 'dutyPhone'] as const;

/** The file of synonym groups in the knowledge directory; every other YAML file there holds entries. */
export const SYNONYMS_FILE = 'synonyms.yaml';

/** The file of labelled owners' questions in the knowledge directory (optional; see KnowledgeExample). */
export const EXAMPLES_FILE = 'examples.json';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const someTexts = z.array(nonEmpty).min(1, 'must list at least one');

const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'use lower-case words joined by dots, such as fees.pay'),
  topic: z.enum(KNOWLEDGE_TOPICS),
  questions: z.strictObject({ 'zh-CN': someTexts, en: someTexts }),
  keywords: z.strictObject({ 'zh-CN': z.array(nonEmpty).optional(), en: z.array(nonEmpty).optional() }).optional(),
  answer: z.strictObject({ 'zh-CN': nonEmpty, en: nonEmpty }),
});

const entriesFileSchema = z.strictObject({ entries: z.array(z.unknown()).min(1, 'must list at least one entry') });

const examplesFileSchema = z.strictObject({
  examples: z.array(
    z.strictObject({
      text: nonEmpty,
      locale: z.enum(LOCALES),
      entry: z.string().min(1).nullable(),
      from: nonEmpty.optional(),
    }),
  ),
});

const synonymsFileSchema = z.strictObject({
  groups: z.array(z.array(nonEmpty).min(2, 'a group needs at least two words')).min(1),
});

/** One line per problem, each naming the file (and the entry); thrown when any file is broken. */
export class KnowledgeError extends Error {
  readonly code = 'KNOWLEDGE_INVALID';
  constructor(readonly problems: string[]) {
    super(`the knowledge files are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'KnowledgeError';
  }
}

export interface KnowledgeFile {
  /** The path, as problems should name it. */
  file: string;
  text: string;
}

export interface ParsedKnowledge {
  entries: KnowledgeEntry[];
  synonyms: SynonymGroups;
  examples: KnowledgeExample[];
}

/** Problems with the placeholders of a text: any `{{name}}` other than the allowed ones, or a stray brace pair. */
function placeholderProblems(text: string): string[] {
  const problems: string[] = [];
  const allowed = new Set<string>(KNOWLEDGE_PLACEHOLDERS);
  const rest = text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, name: string) => {
    if (!allowed.has(name)) problems.push(`unknown placeholder {{${name}}} (only {{estate}} and {{dutyPhone}})`);
    return '';
  });
  if (rest.includes('{{') || rest.includes('}}'))
    problems.push('a placeholder is not closed ({{estate}}, {{dutyPhone}})');
  return problems;
}

function readDoc(file: KnowledgeFile, problems: string[]): unknown {
  try {
    return parseYaml(file.text);
  } catch (error) {
    problems.push(`${file.file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function issueLine(where: string, issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  return `${where}${path ? ` (${path})` : ''}: ${issue.message}`;
}

/**
 * Parses the knowledge files: `synonyms` is the synonyms file and `examples` the labelled questions (when
 * there are), `files` every entries file. Throws KnowledgeError listing every problem, one line each: broken YAML, an entry that breaks the
 * schema (a language missing, an unknown topic, an empty question), an unknown placeholder, an id used twice.
 */
export function parseKnowledgeFiles(
  files: readonly KnowledgeFile[],
  synonyms?: KnowledgeFile,
  examples?: KnowledgeFile,
): ParsedKnowledge {
  const problems: string[] = [];
  const entries: KnowledgeEntry[] = [];
  const fileOf = new Map<string, string>();
  for (const file of files) {
    const doc = readDoc(file, problems);
    if (doc === undefined) continue;
    const top = entriesFileSchema.safeParse(doc);
    if (!top.success) {
      for (const issue of top.error.issues) problems.push(issueLine(file.file, issue));
      continue;
    }
    top.data.entries.forEach((raw, i) => {
      const rawId = (raw as { id?: unknown } | null)?.id;
      const where = `${file.file}: entry ${typeof rawId === 'string' ? `"${rawId}"` : `#${i + 1}`}`;
      const parsed = entrySchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(issueLine(where, issue));
        return;
      }
      const e = parsed.data;
      for (const locale of LOCALES)
        for (const p of placeholderProblems(e.answer[locale])) problems.push(`${where} (answer.${locale}): ${p}`);
      const previous = fileOf.get(e.id);
      if (previous !== undefined) {
        problems.push(
          `${where}: the id is used ${previous === file.file ? 'twice in this file' : `by ${previous} too`}`,
        );
        return;
      }
      fileOf.set(e.id, file.file);
      entries.push({
        id: e.id,
        topic: e.topic,
        questions: e.questions,
        answer: e.answer,
        ...(e.keywords ? { keywords: e.keywords } : {}),
        source: file.file,
      });
    });
  }
  const groups = synonyms ? parseSynonyms(synonyms, problems) : [];
  const labelled = examples ? parseExamples(examples, problems) : [];
  if (problems.length > 0) throw new KnowledgeError(problems);
  return { entries: entries.sort((a, b) => a.id.localeCompare(b.id)), synonyms: groups, examples: labelled };
}

function parseExamples(file: KnowledgeFile, problems: string[]): KnowledgeExample[] {
  let doc: unknown;
  try {
    doc = JSON.parse(file.text);
  } catch (error) {
    problems.push(`${file.file}: not valid JSON: ${(error as Error).message}`);
    return [];
  }
  const parsed = examplesFileSchema.safeParse(doc);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(issueLine(file.file, issue));
    return [];
  }
  return parsed.data.examples.map((e) => ({
    text: e.text,
    locale: e.locale,
    entry: e.entry,
    ...(e.from ? { from: e.from } : {}),
  }));
}

function parseSynonyms(file: KnowledgeFile, problems: string[]): SynonymGroups {
  const doc = readDoc(file, problems);
  if (doc === undefined) return [];
  const parsed = synonymsFileSchema.safeParse(doc);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(issueLine(file.file, issue));
    return [];
  }
  // A word in two groups would silently join them: say so instead.
  const groupOf = new Map<string, number>();
  parsed.data.groups.forEach((group, g) => {
    for (const word of group) {
      const key = word.trim().toLowerCase();
      const other = groupOf.get(key);
      if (other !== undefined && other !== g)
        problems.push(`${file.file}: "${word}" is in group ${other + 1} and group ${g + 1}`);
      groupOf.set(key, g);
    }
  });
  return parsed.data.groups;
}
