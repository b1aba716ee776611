/**
 * The pieces every variable table is built from: a variable is a zod string schema that parses with a
 * {@link Parser}, carries its {@link VariableDoc} in {@link variableDocs}, and reports a short reason
 * (never the value) when the text does not fit.
 */
import { z } from 'zod';
import { parseDuration } from '../core/duration.js';

/** What the schema records about each variable, for error messages and documentation. */
export interface VariableDoc {
  /** What the variable accepts, in words. */
  accepts: string;
  /** The value used when the variable is unset, as it would be written in `.env`. */
  fallback?: string;
  /** Never echo the value: it is, or may contain, a credential. */
  secret?: boolean;
}

export const variableDocs = z.registry<VariableDoc>();

export class Invalid {
  constructor(readonly reason: string) {}
}
export const invalid = (reason: string) => new Invalid(reason);

export type Parser<T> = (text: string) => T | Invalid;

function parsed<T>(parse: Parser<T>) {
  return z.string().transform((text, ctx): T => {
    const result = parse(text);
    if (result instanceof Invalid) {
      ctx.issues.push({ code: 'custom', message: result.reason, input: text });
      return z.NEVER;
    }
    return result;
  });
}

export function withDefault<T>(fallback: string, parse: Parser<T>, doc: Omit<VariableDoc, 'fallback'>) {
  return parsed(parse)
    .prefault(fallback)
    .register(variableDocs, { ...doc, fallback });
}

export function optional<T>(parse: Parser<T>, doc: Omit<VariableDoc, 'fallback'>) {
  return parsed(parse).optional().register(variableDocs, doc);
}

export const text =
  (maxLength = 200): Parser<string> =>
  (value) =>
    value.length <= maxLength ? value : invalid(`longer than ${maxLength} characters`);

export function oneOf<const V extends string>(choices: readonly V[]): Parser<V> {
  return (value) =>
    choices.find((choice) => choice.toLowerCase() === value.toLowerCase()) ?? invalid('not one of the choices');
}

export function integer(min: number, max: number): Parser<number> {
  return (value) => {
    if (!/^[+-]?\d+$/.test(value)) return invalid('not a whole number');
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) return invalid('out of range');
    return n;
  };
}

export function duration({ allowZero = false } = {}): Parser<number> {
  return (value) => {
    const ms = parseDuration(value);
    if (ms === undefined) return invalid('not a duration');
    if (ms === 0 && !allowZero) return invalid('must be longer than zero');
    return ms;
  };
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

export const boolean: Parser<boolean> = (value) => {
  const word = value.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return invalid('not a yes/no value');
};

export function httpUrl({ httpsOnly = false } = {}): Parser<string> {
  return (value) => {
    if (!URL.canParse(value)) return invalid('not a URL');
    const protocol = new URL(value).protocol;
    if (protocol === 'https:' || (protocol === 'http:' && !httpsOnly)) return value;
    return invalid(httpsOnly ? 'not an https URL' : 'not an http or https URL');
  };
}

export function wsUrl(): Parser<string> {
  return (value) => {
    if (!URL.canParse(value)) return invalid('not a URL');
    const protocol = new URL(value).protocol;
    return protocol === 'wss:' || protocol === 'ws:' ? value : invalid('not a ws or wss URL');
  };
}

export const pattern =
  (shape: RegExp, reason: string): Parser<string> =>
  (value) =>
    shape.test(value) ? value : invalid(reason);

export const DURATION = 'a duration such as 30s, 15m, 24h, 3d, 1h30m or 500ms';
export const POSITIVE_DURATION = `${DURATION}, longer than zero`;
export const BOOLEAN = 'true/false, 1/0, yes/no or on/off';
