/**
 * Who a notice is for, as staff type it and as owners' flats match it: the whole estate (全部, 全小区,
 * all), or places — a building (`3`, 3号楼, 3栋) or one unit (单元) of a building (`3-2`, 3栋2单元). An
 * owner of 3-2-501 is in `3` and in `3-2`, not in `3-1`. Pure: no store, no clock.
 */
import { parseUnit, toHalfWidth } from '../location.js';
import type { NoticeTarget } from '../ports/notices.js';
import type { Owner } from '../types.js';

/** Words that mean the whole estate. */
const ALL_WORDS = new Set(['全部', '全小区', '全体', '所有', '全', 'all', 'estate', '*']);
/** One place: a building (digits or a letter and digits) and optionally its unit, as normalised below. */
const BUILDING = String.raw`([A-Za-z]?\d{1,3}[A-Za-z]?)`;
const PLACE = new RegExp(
  String.raw`^(?:第)?${BUILDING}\s*(?:号楼|号|栋|幢|座|#|楼)?\s*(?:[-/]\s*(\d{1,2})|(\d{1,2})\s*(?:单元|门))?\s*(?:单元)?$`,
);
const EN_PLACE =
  /^(?:bldg|building|block|blk|tower)\.?\s*([A-Za-z]?\d{1,3}[A-Za-z]?)(?:\s*(?:unit|entrance)\s*(\d{1,2}))?$/i;

/** `03` → `3`, `a3` → `A3`: how a building is compared and shown. */
function normBuilding(b: string): string {
  return b
    .trim()
    .toUpperCase()
    .replace(/^0+(?=\d)/, '');
}

function normUnit(u: string): string {
  return u.replace(/^0+(?=\d)/, '');
}

/** Reads one place (`3`, `3号楼`, `3-2`, `3栋2单元`, `Building 3 Unit 2`); undefined when it is not one. */
export function parsePlace(text: string): string | undefined {
  const s = toHalfWidth(text.trim());
  const m = s.match(PLACE) ?? s.match(EN_PLACE);
  if (!m?.[1]) return undefined;
  const unit = m[2] ?? m[3];
  return unit ? `${normBuilding(m[1])}-${normUnit(unit)}` : normBuilding(m[1]);
}

/**
 * Reads a target as staff type it: `全部` / `all`, or places separated by `,` `，` `、` `;` or `+`
 * (`3,5,7`, `3号楼、5号楼`, `3-2,5`). Undefined when any part is not a place, so a typo never narrows a
 * notice silently. Places are deduplicated and a unit inside a listed building is dropped (3 covers 3-2).
 */
export function parseTarget(text: string): NoticeTarget | undefined {
  const s = toHalfWidth(text.trim());
  if (s === '') return undefined;
  if (ALL_WORDS.has(s.toLowerCase())) return { kind: 'all' };
  const parts = s
    .split(/[,，、;；+]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  const places: string[] = [];
  for (const part of parts) {
    const place = parsePlace(part);
    if (!place) return undefined;
    if (!places.includes(place)) places.push(place);
  }
  const buildings = new Set(places.filter((p) => !p.includes('-')));
  return { kind: 'places', places: places.filter((p) => !p.includes('-') || !buildings.has(p.split('-')[0]!)) };
}

/** The places an owner's flats are in: for 3-2-501, `3` and `3-2` (3-501 gives only `3`). */
export function placesOfUnits(units: readonly string[]): string[] {
  const out: string[] = [];
  for (const unit of units) {
    const flat = parseUnit(unit);
    if (!flat) continue;
    const building = normBuilding(flat.building);
    if (!out.includes(building)) out.push(building);
    if (flat.unit) {
      const withUnit = `${building}-${normUnit(flat.unit)}`;
      if (!out.includes(withUnit)) out.push(withUnit);
    }
  }
  return out;
}

/**
 * The places an owner is in: their flats' (see placesOfUnits), or — when they gave none — the building
 * of the QR code they followed the Service Account by (Owner.qrBuilding, one code per building).
 */
export function placesOfOwner(owner: Pick<Owner, 'units' | 'qrBuilding'>): string[] {
  const places = placesOfUnits(owner.units);
  if (places.length > 0 || !owner.qrBuilding) return places;
  const qr = parsePlace(owner.qrBuilding.building);
  return qr && !qr.includes('-') ? [qr] : [];
}

/**
 * Whether a notice for `target` is for an owner with these flats (or, without one, this QR code's
 * building: see placesOfOwner). An owner whose building we do not know is in the estate-wide notices
 * only (asked for their building where it matters).
 */
export function targetIncludes(
  target: NoticeTarget,
  units: readonly string[],
  qrBuilding?: Owner['qrBuilding'],
): boolean {
  if (target.kind === 'all') return true;
  const mine = new Set(placesOfOwner({ units: [...units], ...(qrBuilding ? { qrBuilding } : {}) }));
  return target.places.some((p) => mine.has(p));
}
