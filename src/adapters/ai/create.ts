/**
 * Chooses the assistant at start-up: the OpenAI one when OPENAI_API_KEY is set, else the offline one,
 * and says which in the log. The keyword file is loaded either way (the OpenAI assistant falls back on it).
 * The OpenAI library is loaded only when it is used (a tenth of the start-up's compiling, and its memory,
 * for the deployments without a key).
 */
import type { Clock } from '../../core/ports.js';
import type { EmergencyRules } from '../../core/understand/emergency.js';
import type { UnderstandModel } from '../../core/understand/intent.js';
import type { Keywords } from '../../core/understand/keywords.js';
import type { Logger } from '../../logger.js';
import type { Assistant } from './assistant.js';
import { loadEmergencyRules } from './emergency-file.js';
import { loadKeywords } from './keywords-file.js';
import { OfflineAssistant } from './offline.js';
import type { AiConfig, OpenAIAssistantOptions } from './openai.js';

export interface CreateAssistantOptions extends OpenAIAssistantOptions {
  /** Compiled keywords; loaded from `keywordsPath` (default `flows/keywords.yaml`) when left out. */
  keywords?: Keywords;
  keywordsPath?: string;
  /** Compiled emergency rules; loaded from `flows/understand/emergency.yaml` when left out. */
  emergencyRules?: EmergencyRules;
  /** The understanding model the content loaded, or what gives it at its first use (trained then when left out). */
  model?: UnderstandModel | (() => UnderstandModel);
}

/**
 * Throws KeywordsError (or EmergencyRulesError) when the keyword file (or the emergency rules) is missing
 * or broken: start-up should stop then.
 */
export async function createAssistant(
  ai: AiConfig | null,
  log: Logger,
  clock: Clock,
  opts: CreateAssistantOptions = {},
): Promise<Assistant> {
  const keywords = opts.keywords ?? loadKeywords(opts.keywordsPath);
  const offline = new OfflineAssistant(keywords, opts.emergencyRules ?? loadEmergencyRules(), opts.model);
  if (!ai) {
    log.info({ aiMode: 'offline' }, 'AI assistance: offline (keyword classifier); set OPENAI_API_KEY to use a model');
    return offline;
  }
  log.info(
    {
      aiMode: 'openai',
      model: ai.model,
      customBaseUrl: ai.baseUrl !== undefined,
      timeoutMs: ai.timeoutMs,
      callsPerMinute: ai.callsPerMinute,
      sendPersonalData: ai.sendPersonalData,
    },
    `AI assistance: on (model ${ai.model}), with the offline classifier as fallback`,
  );
  const { OpenAIAssistant } = await import('./openai.js');
  return new OpenAIAssistant(ai, offline, log, clock, opts.fetch ? { fetch: opts.fetch } : {});
}
