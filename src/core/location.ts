/**
 * Reads a place in the estate from what an owner types: 3栋2单元501, 3号楼2单元501室, 3-2-501, 3/2/501,
 * Bldg 3 Unit 2 Rm 501, Building 3 Room 501 … Anything else is taken as a public area described in words.
 */
import type { EstateLocation } from './types.js';

const FULLWIDTH_DIGITS = /[０-９]/g;

/** Turns full-width digits and punctuation into their ASCII forms. */
export function toHalfWidth(text: string): string {
  return text
    .replace(FULLWIDTH_DIGITS, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[－—–]/g, '-')
    .replace(/／/g, '/')
    .replace(/＃/g, '#');
}

const ZH = /(\d{1,3})\s*(?:栋|幢|号楼|座|#楼?|号)\s*(?:(\d{1,2})\s*(?:单元|门))?\s*(?:(\d{2,5})\s*(?:室|号|房)?)/;
const DASHED = /(?:^|[^\d])(\d{1,3})\s*[-/]\s*(\d{1,2})\s*[-/]\s*(\d{2,5})(?!\d)/;
const DASHED_NO_UNIT = /(?:^|[^\d])(\d{1,3})\s*[-/]\s*(\d{3,5})(?!\d)/;
const EN =
  /(?:bldg|building|block|blk|tower)\.?\s*(\w{1,3})\s*,?\s*(?:(?:unit|entrance|ent)\.?\s*(\w{1,2})\s*,?\s*)?(?:rm|room|flat|apt|#)\.?\s*(\d{2,5})/i;

/** The flat's short form used in lists and on cards: 3-2-501 (or 3-501 without a unit). */
export function formatUnit(loc: EstateLocation): string {
  if (loc.kind === 'public') return loc.description;
  return loc.unit ? `${loc.building}-${loc.unit}-${loc.room}` : `${loc.building}-${loc.room}`;
}

/** Finds building / unit / room in free text; undefined when the text names no flat. */
export function parseUnit(text: string): Extract<EstateLocation, { kind: 'unit' }> | undefined {
  const s = toHalfWidth(text);
  const zh = s.match(ZH);
  if (zh?.[1] && zh[3]) return { kind: 'unit', building: zh[1], ...(zh[2] ? { unit: zh[2] } : {}), room: zh[3] };
  const en = s.match(EN);
  if (en?.[1] && en[3]) return { kind: 'unit', building: en[1], ...(en[2] ? { unit: en[2] } : {}), room: en[3] };
  const dashed = s.match(DASHED);
  if (dashed?.[1] && dashed[2] && dashed[3]) {
    return { kind: 'unit', building: dashed[1], unit: dashed[2], room: dashed[3] };
  }
  const short = s.match(DASHED_NO_UNIT);
  if (short?.[1] && short[2]) return { kind: 'unit', building: short[1], room: short[2] };
  return undefined;
}

/** A flat when the text names one, otherwise a public area described by the text itself. */
export function parseLocation(text: string): EstateLocation {
  return parseUnit(text) ?? { kind: 'public', description: text.trim() };
}
