/**
 * Loading: reads the variables from the environment, reports every problem at once (never echoing a
 * secret), and returns the frozen {@link Config}.
 */
import { existsSync } from 'node:fs';
import { deepFreeze, toConfig } from './assemble.js';
import { docOf, envSchema, REQUIRED_WITH, VARIABLE_NAMES, type Variable } from './schema.js';
import type { Config } from './types.js';

/** Thrown by {@link loadConfig} with every problem found, one line per problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  /** Lines of the form `VARIABLE: what was wrong; accepted: what it accepts`. */
  readonly problems: string[];

  constructor(problems: string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`Invalid configuration (${count}):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** One configuration variable as documented by the schema. */
export interface ConfigVariable {
  readonly name: string;
  readonly accepts: string;
  /** The value used when unset, written as in `.env`; absent when unset means "off" or "none". */
  readonly fallback?: string;
  readonly secret: boolean;
}

/** Every variable {@link loadConfig} reads, in schema order (the order `.env.example` follows). */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze(
  VARIABLE_NAMES.map((name) => {
    const doc = docOf(name);
    return Object.freeze({
      name,
      accepts: doc.accepts,
      secret: doc.secret === true,
      ...(doc.fallback !== undefined && { fallback: doc.fallback }),
    });
  }),
);

/**
 * What is valid but probably a mistake in production, one line each, for start-up to log as warnings.
 * The console (no platform) is for trying residesk and gets none.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.telegram && !config.wechat && !config.wechatMp) return warnings;
  if (!config.dutyPhone) {
    warnings.push(
      "DUTY_PHONE is not set: owners reporting an emergency get 119 / 120 / 110 but not the service centre's 24-hour number",
    );
  }
  return warnings;
}

/**
 * Validates the environment and builds the configuration. Empty or blank variables count as unset.
 * Throws a {@link ConfigError} listing every problem found; the result is deeply frozen.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const set: Partial<Record<Variable, string>> = {};
  for (const name of VARIABLE_NAMES) {
    const value = env[name]?.trim();
    if (value) set[name] = value;
  }

  const found: { variable: string; reason: string }[] = [];
  const result = envSchema.safeParse(set);
  if (!result.success) {
    for (const issue of result.error.issues) {
      found.push({ variable: String(issue.path[0] ?? '(environment)'), reason: issue.message });
    }
  }
  for (const { variable, when } of REQUIRED_WITH) {
    if (set[when] !== undefined && set[variable] === undefined) {
      found.push({ variable, reason: `required when ${when} is set` });
    }
  }

  if (!result.success || found.length > 0) {
    const order = (variable: string) => VARIABLE_NAMES.indexOf(variable as Variable);
    found.sort((a, b) => order(a.variable) - order(b.variable));
    throw new ConfigError(
      found.map(({ variable, reason }) => problemLine(variable, reason, set[variable as Variable])),
    );
  }
  return deepFreeze(toConfig(result.data));
}

function problemLine(variable: string, reason: string, value: string | undefined): string {
  const doc = docOf(variable);
  const shown = value === undefined || doc.secret ? '' : ` (got ${JSON.stringify(clip(value))})`;
  return `${variable}: ${reason}${shown}; accepted: ${doc.accepts}`;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/**
 * Loads a dotenv file into `process.env` if it exists, leaving variables that are already set (even
 * to an empty string) as they are. Returns whether a file was loaded.
 */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}
