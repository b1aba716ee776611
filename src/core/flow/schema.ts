/**
 * The shape of a conversation flow as written in `flows/*.yaml`, checked with zod when loaded.
 * A step names its prompt (a locale key), the kind of answer it takes, and where to go next.
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _ (starting with a letter)');
const localeKey = z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'a locale key such as complaint.ask.where');

/** A condition on the answers so far, or on the owner's profile. */
export const conditionSchema = z.union([
  z.strictObject({ answer: id, is: z.union([z.string(), z.number(), z.boolean()]) }),
  z.strictObject({ answer: id, in: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.strictObject({ answer: id, atMost: z.number() }),
  z.strictObject({ answered: id }),
  z.strictObject({ profile: z.enum(['contact']), present: z.boolean() }),
]);
export type Condition = z.infer<typeof conditionSchema>;

const answerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('choice'),
    options: z.array(id).min(1).max(30),
    /** Locale key prefix for the option labels: `${labels}.${option}`. */
    labels: localeKey,
    /** Buttons per row on platforms with buttons. */
    columns: z.number().int().min(1).max(4).default(2),
  }),
  z.strictObject({
    kind: z.literal('text'),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(1).max(4000).default(1000),
    /** The answer must hold a letter (a name): digits or emoji alone are refused with `input.name_letters`. */
    letters: z.boolean().optional(),
    /**
     * What the step takes, which decides what it refuses (see `FieldReading` in answers.ts): `name`, a
     * short `value`, a `report` (a question about something else is not a description) or a `reply`
     * (anything). Default: `name` with `letters`, else `reply`.
     */
    reads: z.enum(['name', 'value', 'report', 'reply']).optional(),
  }),
  z.strictObject({ kind: z.literal('phone') }),
  z.strictObject({ kind: z.literal('location') }),
  z.strictObject({ kind: z.literal('photos'), max: z.number().int().min(1).max(10).default(6) }),
  z.strictObject({
    kind: z.literal('rating'),
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(1).max(10).default(5),
    /** Locale key prefix for labelled points: `${labels}.${n}` (optional). */
    labels: localeKey.optional(),
  }),
  z.strictObject({ kind: z.literal('yesno') }),
  z.strictObject({
    kind: z.literal('multi'),
    options: z.array(id).min(1).max(30),
    labels: localeKey,
    /** How many options must be picked (default 1) and may be picked (default all). */
    min: z.number().int().min(0).default(1),
    max: z.number().int().min(1).optional(),
    columns: z.number().int().min(1).max(4).default(1),
  }),
  z.strictObject({
    kind: z.literal('confirm'),
    /** The steps that may be edited from the read-back, in display order. */
    fields: z.array(id).min(1),
  }),
]);

const transitionSchema = z.strictObject({ when: conditionSchema.optional(), go: id });

/** Named domain actions the application carries out when a step is answered. */
export const EFFECTS = [
  'ticket.create',
  'plan.answer',
  'appointment.answer',
  'rejection.answer',
  'revisit.record',
  'survey.answer',
  /** After an emergency is filed: the call-back number and what is happening, onto its ticket. */
  'emergency.details',
] as const;
export type EffectName = (typeof EFFECTS)[number];

/** `go: end` in a transition finishes the flow. */
export const END = 'end';

const stepSchema = z.strictObject({
  id,
  /** The question (a locale key); it may use {{placeholders}} filled from the flow's context. */
  ask: localeKey,
  /** Shown before the question the first time this step is reached (e.g. the privacy notice). */
  intro: localeKey.optional(),
  answer: answerSchema,
  /** The owner may skip the step (a Skip button); the answer is then absent. */
  optional: z.boolean().default(false),
  /** Asks for personal data: the privacy notice is shown once, before the first such step. */
  personal: z.boolean().default(false),
  /** The step is asked only when this holds; otherwise it is passed over. */
  if: conditionSchema.optional(),
  /** Profile field that pre-fills the answer and offers it again (name, phone). */
  prefill: z.enum(['name', 'phone']).optional(),
  /** Where to go after this step; the first matching rule wins; no rule (or none matching) = the next step in order. */
  next: z.array(transitionSchema).optional(),
  /** A domain action run when this step is answered (for a confirm step: on Confirm). */
  effect: z.enum(EFFECTS).optional(),
  /** Locale key of the field's name in the read-back (defaults to `${flow}.field.${step}`). */
  label: localeKey.optional(),
  /** Ends the flow after this step. */
  end: z.boolean().default(false),
});
export type StepSpec = z.infer<typeof stepSchema>;

export const flowSchema = z
  .strictObject({
    id,
    version: z.number().int().min(1),
    /** Fixed values given to the effect (e.g. urgency: emergency). */
    set: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Shown once when the flow starts, before the first question. */
    intro: localeKey.optional(),
    /** Shown when the flow is cancelled. */
    cancelled: localeKey.optional(),
    /** A domain action run with all the answers when the flow completes (for flows without a read-back). */
    done: z.enum(EFFECTS).optional(),
    /** Free text an owner writes can start this flow with suggested answers (the complaint flow). */
    understands: z.boolean().default(false),
    /** What follows the flow's end: the main menu (default) or nothing (the application has the last word). */
    after: z.enum(['menu', 'none']).default('menu'),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set<string>();
    flow.steps.forEach((step, i) => {
      if (ids.has(step.id)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id "${step.id}" is used twice` });
      }
      ids.add(step.id);
    });
    const refers = (stepIndex: number, target: string, path: (string | number)[]) => {
      if (target !== END && !ids.has(target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', stepIndex, ...path],
          message: `step "${flow.steps[stepIndex]?.id}" refers to step "${target}", which this flow does not have`,
        });
      }
    };
    const checkCondition = (c: Condition | undefined, i: number, path: (string | number)[]) => {
      if (!c) return;
      if ('answer' in c) refers(i, c.answer, [...path, 'answer']);
      if ('answered' in c) refers(i, c.answered, [...path, 'answered']);
    };
    flow.steps.forEach((step, i) => {
      step.next?.forEach((t, j) => {
        refers(i, t.go, ['next', j, 'go']);
        checkCondition(t.when, i, ['next', j, 'when']);
      });
      checkCondition(step.if, i, ['if']);
      if (step.answer.kind === 'confirm') {
        step.answer.fields.forEach((f, j) => {
          refers(i, f, ['answer', 'fields', j]);
        });
      }
      if (step.answer.kind === 'rating' && step.answer.min >= step.answer.max) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'answer'], message: 'rating min must be below max' });
      }
      if (step.answer.kind === 'text' && step.answer.min > step.answer.max) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'answer'], message: 'text min must not exceed max' });
      }
    });
  });

export type FlowSpec = z.infer<typeof flowSchema>;

/** The main menu: what /start and /menu offer, as data. */
export const menuSchema = z.strictObject({
  entries: z
    .array(
      z.strictObject({
        id,
        label: localeKey,
        /** Starts this flow … */
        flow: id.optional(),
        /** … with these answers already given (e.g. kind: repair skips the kind question). */
        preset: z.record(z.string(), z.string()).default({}),
        /** Words and slash commands that open this entry directly (报修, /repair). */
        aliases: z.array(z.string().min(1)).default([]),
        /** … or runs this built-in command. */
        command: z.enum(['mytickets', 'lang', 'help']).optional(),
      }),
    )
    .min(1),
});
export type MenuSpec = z.infer<typeof menuSchema>;
