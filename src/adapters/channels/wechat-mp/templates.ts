/**
 * The Service Account's template messages (模板消息) from data (flows/wechat-mp/templates.yaml, see its
 * header): one per kind of message the service sends on its own (ticket progress, revisit invitation,
 * survey invitation, notice), sent when the 48-hour reply window is closed. Read and checked at start-up —
 * one line per mistake, naming the kind and the field — and turned into the `data` of
 * /cgi-bin/message/template/send, each value cut to what its field type holds.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Notification } from '../../../core/ports/channels.js';
import { type MessagePurpose, PURPOSE_KINDS } from '../../../core/types.js';
import { parseYaml } from '../../../core/yaml.js';

/** What a template field is filled with: a part of the notification, or a fixed text. */
const SOURCES = ['ref', 'title', 'text', 'when'] as const;

const fieldValue = z.union([z.enum(SOURCES), z.object({ fixed: z.string().min(1).max(20) }).strict()]);

const template = z
  .object({
    template_id: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/, 'not shaped like a template ID (我的模板 → 模板ID)'),
    fields: z
      .record(z.string().regex(/^[a-z_]+\d*$/, 'not a template field name such as thing2 or time4'), fieldValue)
      .refine((fields) => Object.keys(fields).length > 0, 'name at least one field'),
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'not an http(s) address')
      .max(1000)
      .optional(),
  })
  .strict();

const fileSchema = z
  .object({
    templates: z
      .object(Object.fromEntries(PURPOSE_KINDS.map((kind) => [kind, template.optional()])))
      .strict()
      .nullish(),
  })
  .strict();

/** One template as the file gives it. */
export type TemplateSpec = z.output<typeof template>;

/** The templates by kind of message; a kind not in it has none. */
export type Templates = ReadonlyMap<MessagePurpose['kind'], TemplateSpec>;

/** A template file that cannot be used, with every problem found (one line each). */
export class TemplateFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'TemplateFileError';
  }
}

/** Reads and checks a template file (see the module's comment). */
export function loadTemplates(file: string): Templates {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new TemplateFileError(file, [error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TemplateFileError(
      file,
      parsed.error.issues.map((issue) => {
        const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` (${issue.keys.join(', ')})` : '';
        const known =
          issue.code === 'unrecognized_keys' && issue.path.length === 1 ? `; kinds: ${PURPOSE_KINDS.join(', ')}` : '';
        return `${issue.path.join('.') || '(file)'}: ${issue.message}${keys}${known}`;
      }),
    );
  }
  const templates = new Map<MessagePurpose['kind'], TemplateSpec>();
  for (const kind of PURPOSE_KINDS) {
    const spec = parsed.data.templates?.[kind] as TemplateSpec | undefined;
    if (spec) templates.set(kind, spec);
  }
  return templates;
}

/**
 * The longest value per field type (the platform's rules for template fields: thing 20 characters,
 * character_string 32, phrase 5, name 10 …); a type not listed gets 20.
 */
const FIELD_LIMITS: [prefix: string, max: number][] = [
  ['character_string', 32],
  ['phrase', 5],
  ['thing', 20],
  ['name', 10],
  ['time', 30],
  ['number', 32],
];

function limitOf(field: string): number {
  return FIELD_LIMITS.find(([prefix]) => field.startsWith(prefix))?.[1] ?? 20;
}

function cut(value: string, max: number): string {
  const chars = [...value];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : value;
}

/** The template's `data` for a notification: each field's value, cut to what its type holds. */
export function templateData(spec: TemplateSpec, n: Notification): Record<string, { value: string }> {
  const parts: Record<(typeof SOURCES)[number], string> = {
    ref: n.purpose.ref,
    title: n.purpose.title ?? n.text,
    text: n.text,
    when: n.when,
  };
  const data: Record<string, { value: string }> = {};
  for (const [field, source] of Object.entries(spec.fields)) {
    const value = typeof source === 'object' ? source.fixed : parts[source];
    data[field] = { value: cut(value || '—', limitOf(field)) };
  }
  return data;
}
