/**
 * The label schema of owner messages: what the evaluation sets and the training data hold, one object
 * per message. Today's `{text, locale, kind, category, urgency, location?}` plus an optional `intent`
 * (an item without one is a report, or an emergency when its urgency is `emergency`), `emergencyKind`,
 * `tricky` and `note`. kind, category and urgency belong to reports and emergencies; other intents
 * leave them out.
 */
import { z } from 'zod';
import { CATEGORIES, LOCALES, TICKET_KINDS, URGENCIES } from '../types.js';

/** What an owner's message is for; each has its own handling in the app. */
export const INTENTS = [
  'emergency',
  'report',
  'enquiry',
  'notice',
  'praise',
  'thanks',
  'greeting',
  'human',
  'followup',
  'other',
] as const;
export type Intent = (typeof INTENTS)[number];

/** The intents that carry a ticket's kind, category and urgency. */
export const REPORT_INTENTS: readonly Intent[] = ['emergency', 'report'];

const locationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('unit'),
    building: z.string().min(1),
    unit: z.string().min(1).optional(),
    room: z.string().min(1),
  }),
  z.strictObject({ kind: z.literal('public'), description: z.string().min(1) }),
]);

export const labelledMessageSchema = z
  .strictObject({
    text: z.string().min(1),
    locale: z.enum(LOCALES),
    intent: z.enum(INTENTS).optional(),
    kind: z.enum(TICKET_KINDS).optional(),
    category: z.enum(CATEGORIES).optional(),
    urgency: z.enum(URGENCIES).optional(),
    location: locationSchema.optional(),
    /** What the emergency is (fire, gas, trapped …), in the writer's words. */
    emergencyKind: z.string().min(1).optional(),
    /** Written to look like something it is not (a past fire, a fire drill). */
    tricky: z.boolean().optional(),
    note: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    const intent = m.intent ?? 'report';
    if (!REPORT_INTENTS.includes(intent)) return;
    for (const field of ['kind', 'category', 'urgency'] as const)
      if (m[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `a ${intent} needs ${field}` });
  });

export type LabelledMessage = z.infer<typeof labelledMessageSchema>;
export const labelledSetSchema = z.array(labelledMessageSchema).min(1);

/** A message's intent: its label, or report/emergency by its urgency when it has none. */
export function intentOf(m: LabelledMessage): Intent {
  if (m.intent) return m.intent;
  return m.urgency === 'emergency' ? 'emergency' : 'report';
}
