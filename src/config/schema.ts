/**
 * The whole schema: every variable table, spread in the order `.env.example` lists them (test/config.test.ts
 * checks that order), and the rules that tie one variable to another.
 */
import { z } from 'zod';
import { ai, general, logging, mongo, staff } from './core.js';
import { type VariableDoc, variableDocs } from './parse.js';
import { hours, revisits, sla } from './schedule.js';
import { telegram } from './telegram.js';
import { wechat } from './wechat.js';
import { wechatMp } from './wechat-mp.js';
import { wecom } from './wecom.js';

const shape = {
  ...general,
  ...logging,
  ...staff,
  ...hours,
  ...revisits,
  ...sla,
  ...telegram,
  ...wechat,
  ...wecom,
  ...wechatMp,
  ...mongo,
  ...ai,
};
export const envSchema = z.object(shape);
export type Variable = keyof typeof shape;
export type Values = z.output<typeof envSchema>;

export const VARIABLE_NAMES = Object.keys(shape) as Variable[];

/** Variables that must be set when another one is. */
export const REQUIRED_WITH: readonly { variable: Variable; when: Variable }[] = [
  { variable: 'TELEGRAM_STAFF_CHAT_ID', when: 'TELEGRAM_BOT_TOKEN' },
  { variable: 'WECHAT_STAFF_ROOM', when: 'WECHATY_PUPPET' },
  { variable: 'WECOM_BOT_SECRET', when: 'WECOM_BOT_ID' },
  { variable: 'WECOM_STAFF_CHAT_ID', when: 'WECOM_BOT_ID' },
  { variable: 'WECHAT_MP_APP_SECRET', when: 'WECHAT_MP_APP_ID' },
  { variable: 'WECHAT_MP_TOKEN', when: 'WECHAT_MP_APP_ID' },
];

export function docOf(name: string): VariableDoc {
  const schema = (shape as Record<string, z.ZodType>)[name];
  return (schema && variableDocs.get(schema)) ?? { accepts: 'see .env.example', secret: true };
}
