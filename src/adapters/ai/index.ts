/** AI assistance (issue #9): the Assistant port, its offline and OpenAI implementations, and the factory. */
export type { AiUsage, AnswerSummary, AnswerTheme, Assistant, ReplyContext, Understanding } from './assistant.js';
export { CARD_SUMMARY_FROM, MODEL_SUMMARY_MAX, REPLY_MAX } from './assistant.js';
export { type CreateAssistantOptions, createAssistant } from './create.js';
export { DEFAULT_KEYWORDS_PATH, loadKeywords } from './keywords-file.js';
export { OfflineAssistant } from './offline.js';
export { type AiConfig, OpenAIAssistant } from './openai.js';
