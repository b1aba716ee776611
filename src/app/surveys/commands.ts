/**
 * Staff commands for survey campaigns: `/survey list|create|preview|start|report|close|export …` read from
 * a staff room or from `npm run survey`, and the dates typed in them.
 */
import { DateTime } from 'luxon';
import { parseDuration } from '../../core/duration.js';
import type { OutboundMessage } from '../../core/types.js';

export type SurveyCommand =
  | { action: 'help' }
  | { action: 'list' }
  | { action: 'create'; questionnaireId: string; name?: string; buildings?: string[]; start?: string; end?: string }
  | { action: 'preview' | 'report' | 'close' | 'export'; campaignId: string }
  | { action: 'start'; campaignId: string; start?: string; end?: string };

export interface SurveyCommandResult {
  ok: boolean;
  /** For whoever gave the command (the staff room it came from, or the terminal). */
  reply: OutboundMessage[];
  /** Already written to every staff room (the preview, a closing summary): for the terminal to show. */
  posted: OutboundMessage[];
}

/** `S7`, `s007` → `S007`. */
export function normaliseCampaignId(text: string): string {
  const m = text.trim().match(/^s0*(\d{1,6})$/i);
  return m ? `S${m[1]!.padStart(3, '0')}` : text.trim().toUpperCase();
}

/**
 * Reads `/survey list|create|preview|start|report|close|export …` (also `/survey@bot`, `/surveys`);
 * undefined when the text is not a survey command. `create <questionnaire> [name words…] [buildings=3,5]
 * [start=…] [end=…]`; `start <id> [start=…] [end=…]`. Dates are read later, in the business time zone.
 */
export function parseSurveyCommand(text: string): SurveyCommand | undefined {
  const tokens = text.trim().split(/\s+/);
  const head = (tokens[0] ?? '').toLowerCase().replace(/@\w+$/, '');
  if (head !== '/survey' && head !== '/surveys') return undefined;
  const sub = tokens[1]?.toLowerCase();
  const named: Record<string, string> = {};
  const positional: string[] = [];
  for (const token of tokens.slice(2)) {
    const m = token.match(/^([a-zA-Z]+)[=＝](.*)$/);
    if (m) named[m[1]!.toLowerCase()] = m[2] ?? '';
    else positional.push(token);
  }
  const dates = { ...(named.start ? { start: named.start } : {}), ...(named.end ? { end: named.end } : {}) };
  const first = positional[0];
  switch (sub) {
    case 'list':
      return { action: 'list' };
    case 'create': {
      if (!first) return { action: 'help' };
      const name = named.name ?? positional.slice(1).join(' ');
      const buildings =
        named.buildings !== undefined
          ? named.buildings
              .split(/[,，、]/)
              .map((b) => b.trim())
              .filter(Boolean)
          : undefined;
      return {
        action: 'create',
        questionnaireId: first.toLowerCase(),
        ...(name ? { name } : {}),
        ...(buildings ? { buildings } : {}),
        ...dates,
      };
    }
    case 'start':
      return first ? { action: 'start', campaignId: normaliseCampaignId(first), ...dates } : { action: 'help' };
    case 'preview':
    case 'report':
    case 'close':
    case 'export':
      return first ? { action: sub, campaignId: normaliseCampaignId(first) } : { action: 'help' };
    default:
      return { action: 'help' };
  }
}

/**
 * Reads a start or end time typed by staff, in the business `zone`: `now`, `2026-12-01` (09:00 for a
 * start, 23:59 for an end), `2026-12-01T09:00`, or a duration after `base` (`14d`, `36h`).
 */
export function parseWhen(
  text: string,
  role: 'start' | 'end',
  base: Date,
  at: { now: Date; zone: string },
): Date | undefined {
  const { zone } = at;
  const s = text.trim();
  if (/^now$|^现在$/i.test(s)) return at.now;
  const duration = parseDuration(s);
  if (duration !== undefined) return new Date(base.getTime() + duration);
  const day = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  if (day) {
    const d = DateTime.fromObject({ year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) }, { zone });
    if (!d.isValid) return undefined;
    return (role === 'start' ? d.set({ hour: 9 }) : d.set({ hour: 23, minute: 59 })).toJSDate();
  }
  const time = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})$/);
  if (time) {
    const d = DateTime.fromObject(
      {
        year: Number(time[1]),
        month: Number(time[2]),
        day: Number(time[3]),
        hour: Number(time[4]),
        minute: Number(time[5]),
      },
      { zone },
    );
    return d.isValid ? d.toJSDate() : undefined;
  }
  return undefined;
}
