/**
 * Loads `flows/*.yaml` (conversation flows) and `flows/menu.yaml` (the main menu), checks them with zod and
 * against the locales, and fails with every problem named by file and step, so a broken flow stops
 * start-up instead of the first owner's conversation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { checkRegistry, type FlowRegistry, localeKeysOf } from '../core/flow/registry.js';
import { type FlowSpec, flowSchema, menuSchema } from '../core/flow/schema.js';
import { parseYaml } from '../core/yaml.js';

/** Data files that live beside the flows but are not flows (the offline classifier's keywords). */
const NOT_FLOWS = new Set(['keywords.yaml']);

export class FlowError extends Error {
  readonly code = 'FLOW_INVALID';
  constructor(readonly problems: string[]) {
    super(`the flows are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FlowError';
  }
}

function describeIssue(file: string, doc: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  let where = file;
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const steps = (doc as { steps?: { id?: unknown }[] } | undefined)?.steps;
    const id = steps?.[path[1]]?.id;
    where += `: step ${typeof id === 'string' ? `"${id}"` : `#${path[1] + 1}`}`;
    const rest = path.slice(2).join('.');
    if (rest) where += ` (${rest})`;
  } else if (path.length > 0) {
    where += ` (${path.join('.')})`;
  }
  return `${where}: ${issue.message}`;
}

function readYaml(file: string, problems: string[]): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/**
 * Reads every flow in `dir` and the menu. `hasKey` tells whether a locale key exists in every locale.
 * Throws FlowError listing every problem at once.
 */
export function loadFlows(dir: string, hasKey: (key: string) => boolean): FlowRegistry {
  const problems: string[] = [];
  const flows = new Map<string, FlowSpec>();
  /** The file each flow came from, so that every problem names it. */
  const fileOf = new Map<string, string>();
  let menu: FlowRegistry['menu'] | undefined;
  const files = readdirSync(dir)
    .filter((f) => (f.endsWith('.yaml') || f.endsWith('.yml')) && !NOT_FLOWS.has(f))
    .sort();
  for (const name of files) {
    const file = join(dir, name);
    const doc = readYaml(file, problems);
    if (doc === undefined) continue;
    if (basename(name).replace(/\.ya?ml$/, '') === 'menu') {
      const parsed = menuSchema.safeParse(doc);
      if (parsed.success) menu = parsed.data;
      else for (const issue of parsed.error.issues) problems.push(describeIssue(file, doc, issue));
      continue;
    }
    const parsed = flowSchema.safeParse(doc);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(describeIssue(file, doc, issue));
      continue;
    }
    if (flows.has(parsed.data.id)) problems.push(`${file}: flow id "${parsed.data.id}" is used by another file too`);
    flows.set(parsed.data.id, parsed.data);
    fileOf.set(parsed.data.id, file);
  }
  const missingKeys = (file: string, part: FlowRegistry) => {
    for (const { key, where } of localeKeysOf(part)) {
      if (!hasKey(key))
        problems.push(`${file}: ${where}: locale key "${key}" is missing from locales/zh-CN.json or locales/en.json`);
    }
  };
  for (const [id, flow] of flows)
    missingKeys(fileOf.get(id) ?? dir, { flows: new Map([[id, flow]]), menu: { entries: [] } });
  const menuFile = join(dir, 'menu.yaml');
  if (!menu) {
    problems.push(`${menuFile}: missing or invalid (the main menu)`);
    throw new FlowError(problems);
  }
  const registry: FlowRegistry = { flows, menu };
  problems.push(...checkRegistry(registry).map((p) => `${menuFile}: ${p}`));
  missingKeys(menuFile, { flows: new Map(), menu });
  if (problems.length > 0) throw new FlowError(problems);
  return registry;
}
