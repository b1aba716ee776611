/**
 * The loaded flows and the menu, checked as a whole: every locale key they name exists, every flow the
 * menu starts is there. Pure: the file reading lives in `src/app/flows-loader.ts`.
 */
import type { FlowSpec, MenuSpec, StepSpec } from './schema.js';

export interface FlowRegistry {
  flows: ReadonlyMap<string, FlowSpec>;
  menu: MenuSpec;
}

export function getStep(flow: FlowSpec, stepId: string): StepSpec | undefined {
  return flow.steps.find((s) => s.id === stepId);
}

/** Every locale key a flow or the menu uses, with where it is used (for start-up checks and tests). */
export function localeKeysOf(registry: FlowRegistry): { key: string; where: string }[] {
  const keys: { key: string; where: string }[] = [];
  for (const e of registry.menu.entries) keys.push({ key: e.label, where: `menu entry ${e.id}` });
  for (const flow of registry.flows.values()) {
    if (flow.intro) keys.push({ key: flow.intro, where: `flow ${flow.id} intro` });
    if (flow.cancelled) keys.push({ key: flow.cancelled, where: `flow ${flow.id} cancelled` });
    for (const step of flow.steps) {
      const where = `flow ${flow.id} step ${step.id}`;
      keys.push({ key: step.ask, where });
      if (step.intro) keys.push({ key: step.intro, where });
      keys.push({ key: step.label ?? `${flow.id}.field.${step.id}`, where });
      const a = step.answer;
      if (a.kind === 'choice') for (const o of a.options) keys.push({ key: `${a.labels}.${o}`, where });
      if (a.kind === 'rating' && a.labels) {
        for (let n = a.min; n <= a.max; n++) keys.push({ key: `${a.labels}.${n}`, where });
      }
    }
  }
  return keys;
}

/** Problems that zod cannot see from one file: menu entries naming missing flows. */
export function checkRegistry(registry: FlowRegistry): string[] {
  const problems: string[] = [];
  for (const e of registry.menu.entries) {
    if (e.flow && !registry.flows.has(e.flow))
      problems.push(`menu entry "${e.id}" starts flow "${e.flow}", which does not exist`);
    if (!e.flow && !e.command) problems.push(`menu entry "${e.id}" needs a flow or a command`);
    if (e.flow) {
      const flow = registry.flows.get(e.flow);
      for (const key of Object.keys(e.preset)) {
        if (flow && !getStep(flow, key))
          problems.push(`menu entry "${e.id}" presets step "${key}", which flow "${e.flow}" does not have`);
      }
    }
  }
  return problems;
}
