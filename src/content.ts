/**
 * The deployment's content, loaded once by every entry point: conversation flows and the menu
 * (`flows/*.yaml`), questionnaires (`flows/surveys/`), texts (`locales/`), the offline classifier's
 * keywords (`flows/keywords.yaml`), the emergency rules (`flows/understand/emergency.yaml`) and the estate's knowledge
 * (`flows/knowledge/`). Anything broken throws one StartupError naming each file and problem,
 * so start-up stops instead of the first owner's conversation.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { loadEmergencyRules } from './adapters/ai/emergency-file.js';
import { loadKeywords } from './adapters/ai/keywords-file.js';
import { loadUnderstandModel } from './adapters/ai/model-file.js';
import { loadKnowledge } from './adapters/content/knowledge-file.js';
import { loadQuestionnaires } from './adapters/content/questionnaires-file.js';
import { contentFingerprint, readSnapshot, snapshotMatches, writeSnapshot } from './adapters/content/snapshot.js';
import { loadFlows } from './app/flows-loader.js';
import { type FlowRegistry, localeKeysOf } from './core/flow/registry.js';
import { DeferredKnowledgeIndex } from './core/knowledge/deferred.js';
import type { ParsedKnowledge } from './core/knowledge/schema.js';
import {
  createKnowledgeIndex,
  type KnowledgeIndexState,
  type RankedKnowledgeIndex,
  restoreKnowledgeIndex,
} from './core/knowledge/search.js';
import { compileQuestionnaire, mergeResources, type Questionnaire } from './core/surveys/questionnaire.js';
import type { EmergencyRules } from './core/understand/emergency.js';
import type { UnderstandModel } from './core/understand/intent.js';
import type { Keywords } from './core/understand/keywords.js';
import { needsTable, primeNeeds } from './core/understand/needs.js';
import { createI18n, type I18n, type Resources, readLocales } from './i18n.js';
import { StartupError } from './startup-error.js';

/** The repository root, wherever the process was started from. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where each kind of content lives under a root (the repository's, or a test's). */
export interface ContentPaths {
  flows: string;
  surveys: string;
  locales: string;
  keywords: string;
  /** Data the understanding of owners' messages reads (emergency rules, later knowledge files). */
  understand: string;
  emergencyRules: string;
  /** The estate's knowledge: entries files and `synonyms.yaml`. */
  knowledge: string;
}

export function contentPaths(root: string = REPO_ROOT): ContentPaths {
  const flows = join(root, 'flows');
  const understand = join(flows, 'understand');
  return {
    flows,
    surveys: join(flows, 'surveys'),
    locales: join(root, 'locales'),
    keywords: join(flows, 'keywords.yaml'),
    understand,
    emergencyRules: join(understand, 'emergency.yaml'),
    knowledge: join(flows, 'knowledge'),
  };
}

export interface Content {
  /** The flows of `flows/` and of every questionnaire, and the menu. */
  registry: FlowRegistry;
  /** The locales and every questionnaire's texts. */
  i18n: I18n;
  questionnaires: Map<string, Questionnaire>;
  keywords: Keywords;
  emergencyRules: EmergencyRules;
  /**
   * The understanding model (intents, report reading), from its weights cache or trained from its data:
   * read from its snapshot at its first use (the bot's first owner text) when the content came from one.
   */
  model: () => UnderstandModel;
  /** The estate's knowledge that enquiries are answered from (the files' entries; staff-saved ones are added by the app). */
  knowledge: RankedKnowledgeIndex;
}

/**
 * Runs one loader and turns its failure into a StartupError under `title`: a loader's own error with a
 * `problems` list (each naming the file) keeps its lines, any other error becomes one line.
 * Every content file goes through here, the files being added too.
 */
export function loadPart<T>(title: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const problems = (error as { problems?: unknown } | null)?.problems;
    if (error instanceof Error && Array.isArray(problems) && problems.every((p) => typeof p === 'string')) {
      throw new StartupError(title, problems, { cause: error });
    }
    throw new StartupError(title, [error instanceof Error ? error.message : String(error)], { cause: error });
  }
}

/**
 * What loading the content files produces, before the objects built from it (the i18n instance, the
 * knowledge index): plain data, parsed and checked, which a snapshot keeps (adapters/content/snapshot.ts).
 */
interface ContentData {
  registry: FlowRegistry;
  /** The locales merged with every questionnaire's texts. */
  resources: Resources;
  questionnaires: Map<string, Questionnaire>;
  keywords: Keywords;
  emergencyRules: EmergencyRules;
  model: UnderstandModel;
  knowledge: ParsedKnowledge;
}

/**
 * What a snapshot keeps: the content's data and the knowledge index built from it (its terms made by the
 * segmenter were most of a start's loading), restored rather than built again. The index's state is kept
 * serialised on its own (V8's serialisation inside the snapshot's): a start copies its bytes and reads
 * them only when the index is built, at the first enquiry (its object graph was a fifth of reading the
 * snapshot). So is the analysis of the rules' patterns (needs.ts). The model is kept in a snapshot file of
 * its own ({@link modelSnapshotFile}), read at its first use: its weights were 4.7 of the 5.5 MB a start
 * read, hashed and deserialised.
 */
interface SnapshotData extends Omit<ContentData, 'model'> {
  knowledgeIndex: Uint8Array;
  /** Which characters each rule's and keyword's pattern needs (needs.ts), serialised: read at the first owner text. */
  needs: Uint8Array;
}

/** Where the model's snapshot is kept, beside the content's. */
export const modelSnapshotFile = (snapshotFile: string) => snapshotFile.replace(/(\.snapshot)?$/, '.model$1');

/** Reads and checks every content file under `paths`; throws StartupError at the first broken kind. */
function readContent(paths: ContentPaths = contentPaths()): ContentData {
  const questionnaires = loadPart('a questionnaire is broken', () => loadQuestionnaires(paths.surveys));
  const compiled = loadPart('a questionnaire is broken', () => [...questionnaires.values()].map(compileQuestionnaire));
  const locales = loadPart('a locale file is broken', () => readLocales(paths.locales));
  const resources = mergeResources(locales, ...compiled.map((c) => c.resources));
  const i18n = createI18n(resources);

  const base = loadPart('a flow file is broken', () => loadFlows(paths.flows, (key) => i18n.has(key)));
  const surveyFlows = new Map(compiled.map((c) => [c.flow.id, c.flow] as const));
  const missing = localeKeysOf({ flows: surveyFlows, menu: { entries: [] } }).filter(({ key }) => !i18n.has(key));
  if (missing.length > 0) {
    throw new StartupError(
      'a questionnaire names texts that do not exist',
      missing.map((m) => `${m.where}: ${m.key}`),
    );
  }
  const registry: FlowRegistry = { ...base, flows: new Map([...base.flows, ...surveyFlows]) };

  const keywords = loadPart('flows/keywords.yaml is broken', () => loadKeywords(paths.keywords));
  const emergencyRules = loadPart('flows/understand/emergency.yaml is broken', () =>
    loadEmergencyRules(paths.emergencyRules),
  );

  // Loaded here, not at the first owner's message: a broken training file stops start-up, and nobody waits.
  const model = loadPart('flows/understand/training.json (or its weights cache model.json) is broken', () =>
    modelFromFiles(paths, keywords, emergencyRules),
  );

  const knowledge = loadPart('a knowledge file (flows/knowledge/) is broken', () => loadKnowledge(paths.knowledge));

  // More content goes here, each file through loadPart with a title naming it.

  return { registry, resources, questionnaires, keywords, emergencyRules, model, knowledge };
}

const trainingFile = (paths: ContentPaths) => join(paths.understand, 'training.json');

/** The understanding model from its files: its weights cache (model.json) when it fits, else trained from its data. */
const modelFromFiles = (paths: ContentPaths, keywords: Keywords, rules: EmergencyRules) =>
  loadUnderstandModel(keywords, trainingFile(paths), rules, join(paths.understand, 'model.json'));

/**
 * The content built from its data: the i18n instance and the knowledge index, built (or, when a snapshot
 * kept it, restored) at its first use: the bot's first enquiry (DeferredKnowledgeIndex).
 */
function contentOf(
  data: Omit<ContentData, 'model'>,
  model: () => UnderstandModel,
  knowledgeIndex?: Uint8Array,
): Content {
  const { registry, questionnaires, keywords, emergencyRules } = data;
  const { entries, synonyms, examples } = data.knowledge;
  const knowledge = new DeferredKnowledgeIndex(() =>
    knowledgeIndex
      ? restoreKnowledgeIndex(deserialize(knowledgeIndex) as KnowledgeIndexState, synonyms, examples)
      : createKnowledgeIndex(entries, synonyms, examples),
  );
  const i18n = createI18n(data.resources);
  return {
    registry,
    i18n,
    questionnaires,
    keywords,
    emergencyRules,
    model,
    knowledge,
  };
}

/** Loads and checks every content file under `paths`; throws StartupError at the first broken kind. */
export function loadContent(paths: ContentPaths = contentPaths()): Content {
  const data = readContent(paths);
  return contentOf(data, () => data.model);
}

/** Where a snapshot of the content is kept, and the code it is valid for (see adapters/content/snapshot.ts). */
export interface SnapshotOptions {
  file: string;
  /** Identifies the code that loads the content (the build's id): another code's snapshot is never read. */
  codeId: string;
}

/** How a load used the snapshot: read it, loaded the files and wrote it, or could not write it (why). */
export type SnapshotUse = { kind: 'read' } | { kind: 'written' } | { kind: 'not written'; reason: string };

/**
 * {@link loadContent} through a snapshot: read when it was written for today's files and code, else the
 * files are loaded and checked as always (a broken one throws StartupError, one line per mistake) and the
 * snapshot written for the next start.
 */
export function loadContentWithSnapshot(
  paths: ContentPaths,
  snapshot: SnapshotOptions,
): { content: Content; snapshot: SnapshotUse } {
  const fingerprint = contentFingerprint({
    root: dirname(paths.flows),
    paths: [paths.flows, paths.surveys, paths.locales, paths.keywords, paths.understand, paths.knowledge],
    trainingFile: trainingFile(paths),
    codeId: snapshot.codeId,
  });
  const modelFile = modelSnapshotFile(snapshot.file);
  // The model's snapshot is only looked at here (its header): it is read at the model's first use.
  const saved = snapshotMatches(modelFile, fingerprint)
    ? readSnapshot<SnapshotData>(snapshot.file, fingerprint)
    : undefined;
  if (saved) {
    const model = once(
      () =>
        readSnapshot<UnderstandModel>(modelFile, fingerprint) ??
        // Removed or damaged since the start: the model is loaded from its files, as the snapshot was.
        modelFromFiles(paths, saved.keywords, saved.emergencyRules),
    );
    primeNeeds(() => deserialize(saved.needs) as [string, number[] | null][]);
    return { content: contentOf(saved, model, saved.knowledgeIndex), snapshot: { kind: 'read' } };
  }
  const data = readContent(paths);
  const { model, ...rest } = data;
  const content = contentOf(rest, () => model);
  let use: SnapshotUse = { kind: 'written' };
  try {
    // Taken before anything else joins the index (staff-saved knowledge is added by the app at every start).
    const kept: SnapshotData = {
      ...rest,
      knowledgeIndex: serialize(content.knowledge.toState()),
      needs: serialize(needsTable(rest.emergencyRules, rest.keywords)),
    };
    // The model first: a content snapshot is read only beside a model snapshot of the same fingerprint.
    writeSnapshot(modelFile, fingerprint, model);
    writeSnapshot(snapshot.file, fingerprint, kept);
  } catch (error) {
    use = { kind: 'not written', reason: error instanceof Error ? error.message : String(error) };
  }
  return { content, snapshot: use };
}

/** `load`'s value, worked out at the first call only. */
function once<T>(load: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: load() };
    return value.v;
  };
}
