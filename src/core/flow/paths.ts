/**
 * A flow's graph read against the answers given: whether a step's condition holds, which step comes
 * next, and the path the owner's answers lead through. Pure functions of the flow spec, the answers and
 * the owner's profile, apart from the engine's conversation handling so that effects (the answers on the
 * path), the read-back (which fields to show) and tests all read one definition of "the path".
 */
import { getStep } from './registry.js';
import type { Condition, FlowSpec, StepSpec } from './schema.js';
import type { AnswerValue } from './state.js';

/** Whether a condition holds for these answers and this owner. */
export function holds(
  c: Condition,
  answers: Record<string, AnswerValue>,
  owner: { name?: string; phone?: string },
): boolean {
  if ('profile' in c) return Boolean(owner.name && owner.phone) === c.present;
  if ('answered' in c) return answers[c.answered] !== undefined;
  const v = answers[c.answer];
  if ('is' in c) return v === c.is;
  if ('in' in c) return (c.in as unknown[]).includes(v);
  return typeof v === 'number' && v <= c.atMost;
}

/** The step after `s`: the first matching `next` rule, else the following step in order, else none. */
export function nextStepId(
  spec: FlowSpec,
  s: StepSpec,
  answers: Record<string, AnswerValue>,
  owner: { name?: string; phone?: string } = {},
): string | undefined {
  for (const rule of s.next ?? []) {
    if (!rule.when || holds(rule.when, answers, owner)) return rule.go;
  }
  const i = spec.steps.findIndex((x) => x.id === s.id);
  return spec.steps[i + 1]?.id;
}

/** The steps the owner's answers lead through, in order, up to and including a confirm step. */
export function pathOf(
  spec: FlowSpec,
  answers: Record<string, AnswerValue>,
  owner: { name?: string; phone?: string },
): string[] {
  const path: string[] = [];
  const seen = new Set<string>();
  let id = spec.steps[0]?.id;
  while (id && !seen.has(id)) {
    seen.add(id);
    const s = getStep(spec, id);
    if (!s) break;
    if (!s.if || holds(s.if, answers, owner)) {
      path.push(s.id);
      if (s.answer.kind === 'confirm' || s.end) break;
    }
    id = nextStepId(spec, s, answers, owner);
  }
  return path;
}
