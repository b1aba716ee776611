/**
 * Configuration from environment variables: one zod schema, one entry per variable, in the order
 * `.env.example` lists them. Every problem is reported at once, and no secret is ever echoed.
 * The parts live in src/config/: the parsers (parse.ts), one variable table per capability, the schema
 * that puts them in order (schema.ts), the assembly into {@link Config} (assemble.ts) and loading (load.ts).
 */

/** @public The documented shape of each entry in `CONFIG_VARIABLES`, for whoever writes `.env` tooling. */
export type { ConfigVariable } from './config/load.js';
export {
  CONFIG_VARIABLES,
  ConfigError,
  configWarnings,
  loadConfig,
  loadDotEnv,
} from './config/load.js';
export type { Config, DailyWindow, SlaDeadlines, StaffRef } from './config/types.js';
