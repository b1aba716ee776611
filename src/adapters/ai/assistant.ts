/**
 * The Assistant port the offline and OpenAI assistants implement. It is declared in core
 * (core/ports/assistant.ts), where the application imports it from; re-exported here for this adapter's files.
 */
export * from '../../core/ports/assistant.js';
