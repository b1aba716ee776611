/**
 * Human-written durations such as `15m`, `1h30m` or `500ms`, as used in configuration.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS_LARGEST_FIRST: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

const COMPONENT = /(\d+)\s*(ms|d|h|m|s)\s*/y;

/**
 * Reads a duration made of whole-number components with units `d`, `h`, `m`, `s` and `ms`, largest
 * unit first and each unit at most once (`30s`, `24h`, `1h30m`, `2d12h`, `1h 30m`, ` 15M `).
 * Returns milliseconds, or undefined for anything else: an empty string, a sign, a decimal point,
 * a number without a unit, a unit without a number, units out of order, or a total too large to
 * count exactly.
 */
export function parseDuration(text: string): number | undefined {
  const input = text.trim().toLowerCase();
  if (input === '') return undefined;
  let total = 0;
  let position = 0;
  let previousRank = -1;
  while (position < input.length) {
    COMPONENT.lastIndex = position;
    const match = COMPONENT.exec(input);
    if (!match) return undefined;
    const unit = match[2] as Unit;
    const rank = UNITS_LARGEST_FIRST.indexOf(unit);
    if (rank <= previousRank) return undefined;
    previousRank = rank;
    total += Number(match[1]) * UNIT_MS[unit];
    position = COMPONENT.lastIndex;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Writes a duration in the form {@link parseDuration} reads, largest units first and zero components
 * left out (5400000 → `1h30m`, 1500 → `1s500ms`, 0 → `0s`). Fractions of a millisecond are rounded.
 * Throws a RangeError for negative or non-finite input.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Not a duration in milliseconds: ${ms}`);
  let rest = Math.round(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of UNITS_LARGEST_FIRST) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  return out;
}
